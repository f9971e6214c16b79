using System.Reflection;
using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Base class of every layer and model, after torch.nn.Module. A module owns named parameters
        /// (tensors that require grad), named buffers (state such as BatchNorm's running statistics) and named
        /// submodules. Register them explicitly with <see cref="register_parameter"/>, <see cref="register_buffer"/>
        /// and <see cref="register_module"/>, or assign fields and call <see cref="RegisterComponents"/> at the end
        /// of the constructor. Names follow PyTorch, so <see cref="state_dict"/> keys ("conv1.weight",
        /// "bn.running_mean", "layers.0.bias") match the same model written in Python.
        /// Disposing a module disposes its parameters, buffers and submodules.
        /// </summary>
        public abstract partial class Module : IDisposable
        {
            private readonly OrderedDictionary<string, Tensor?> _parameters = new();
            private readonly OrderedDictionary<string, Tensor?> _buffers = new();
            private readonly HashSet<string> _nonPersistentBuffers = new();
            private readonly OrderedDictionary<string, Module> _modules = new();
            private bool _disposed;

            protected Module(string? name = null) => this.name = name ?? GetType().Name;

            /// <summary>The module's type name, used in messages (as PyTorch's class name).</summary>
            public string name { get; }

            /// <summary>True in training mode (the default), false after <see cref="eval"/>.</summary>
            public bool training { get; private set; } = true;

            // ---------------------------------------------------------------- registration

            /// <summary>Registers a parameter under <paramref name="name"/>; null registers an absent one (bias=False).</summary>
            public void register_parameter(string name, Tensor? parameter)
            {
                CheckNewName(name, _parameters);
                if (parameter is not null) Persist(parameter);
                _parameters[name] = parameter;
            }

            /// <summary>Registers a buffer: state that is saved in state_dict (unless not persistent) but not trained.</summary>
            public void register_buffer(string name, Tensor? buffer, bool persistent = true)
            {
                CheckNewName(name, _buffers);
                if (buffer is not null) Persist(buffer);
                _buffers[name] = buffer;
                if (persistent) _nonPersistentBuffers.Remove(name);
                else _nonPersistentBuffers.Add(name);
            }

            /// <summary>Registers a submodule; its parameters appear under "name.".</summary>
            public void register_module(string name, Module module)
            {
                ArgumentNullException.ThrowIfNull(module);
                if (ReferenceEquals(module, this)) throw new ArgumentException($"{this.name} cannot be registered as its own submodule '{name}'.");
                CheckNewName(name, _modules);
                _modules[name] = module;
            }

            /// <summary>
            /// Registers the instance fields of the concrete class, in declaration order (base classes first):
            /// a <see cref="Module"/> field becomes a submodule, a <see cref="Tensor"/> field that requires grad a
            /// parameter, and any other Tensor field a buffer. Leading underscores are dropped from names
            /// ("_fc1" registers "fc1"). Fields already registered under that name are skipped; null fields are ignored.
            /// </summary>
            protected void RegisterComponents()
            {
                var chain = new Stack<Type>();
                for (var t = GetType(); t is not null && t != typeof(Module); t = t.BaseType) chain.Push(t);
                foreach (var type in chain)
                {
                    var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                        .Where(f => !f.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) || f.Name.Contains("k__BackingField"))
                        .OrderBy(f => f.MetadataToken);
                    foreach (var field in fields)
                    {
                        var value = field.GetValue(this);
                        if (value is null) continue;
                        var n = FieldToName(field.Name);
                        if (_parameters.ContainsKey(n) || _buffers.ContainsKey(n) || _modules.ContainsKey(n)) continue;
                        switch (value)
                        {
                            case Module m: register_module(n, m); break;
                            case Tensor t when t.requires_grad: register_parameter(n, t); break;
                            case Tensor t: register_buffer(n, t); break;
                        }
                    }
                }
            }

            private static string FieldToName(string field)
            {
                var n = field.StartsWith('<') ? field[1..field.IndexOf('>')] : field; // auto-property backing field
                return n.TrimStart('_');
            }

            private void CheckNewName<T>(string name, OrderedDictionary<string, T> own)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"{this.name}: '{name}' is not a valid attribute name; names must be non-empty and contain no '.'.", nameof(name));
                bool elsewhere = (!ReferenceEquals(own, _parameters) && _parameters.ContainsKey(name))
                                 || (!ReferenceEquals(own, _buffers) && _buffers.ContainsKey(name))
                                 || (!ReferenceEquals(own, _modules) && _modules.ContainsKey(name));
                if (elsewhere) throw new ArgumentException($"{this.name}: '{name}' is already registered as a different kind (parameter, buffer or module); pick another name.", nameof(name));
            }

            /// <summary>Replaces a registered buffer's tensor (BatchNorm's num_batches_tracked, user code).</summary>
            protected void set_buffer(string name, Tensor buffer)
            {
                if (!_buffers.ContainsKey(name)) throw new ArgumentException($"{this.name} has no buffer named '{name}'.", nameof(name));
                Persist(buffer);
                _buffers[name] = buffer;
            }

            // ---------------------------------------------------------------- enumeration

            /// <summary>Parameters with PyTorch's dotted names: this module's own first, then each submodule's in registration order.</summary>
            public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
                    foreach (var kv in m._parameters)
                        if (kv.Value is not null && seen.Add(kv.Value)) yield return (Join(prefix, kv.Key), kv.Value);
            }

            public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
                    foreach (var kv in m._buffers)
                        if (kv.Value is not null && seen.Add(kv.Value)) yield return (Join(prefix, kv.Key), kv.Value);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            public IEnumerable<(string name, Module module)> named_children() => _modules.Select(kv => (kv.Key, kv.Value));

            public IEnumerable<Module> children() => _modules.Values;

            /// <summary>This module (name "") and every descendant, pre-order, each once.</summary>
            public IEnumerable<(string name, Module module)> named_modules()
            {
                var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
                return NamedModules("", seen);
            }

            private IEnumerable<(string, Module)> NamedModules(string prefix, HashSet<Module> seen)
            {
                if (!seen.Add(this)) yield break;
                yield return (prefix, this);
                foreach (var kv in _modules)
                    foreach (var item in kv.Value.NamedModules(Join(prefix, kv.Key), seen))
                        yield return item;
            }

            public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

            internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

            internal IEnumerable<KeyValuePair<string, Tensor?>> OwnParameters => _parameters;
            internal IEnumerable<KeyValuePair<string, Tensor?>> OwnBuffers => _buffers;
            internal bool IsPersistent(string buffer) => !_nonPersistentBuffers.Contains(buffer);
            internal IEnumerable<KeyValuePair<string, Module>> OwnModules => _modules;

            // ---------------------------------------------------------------- modes and devices

            /// <summary>Sets training mode on this module and every descendant (Dropout and BatchNorm read it).</summary>
            public Module train(bool mode = true)
            {
                foreach (var m in modules()) m.training = mode;
                return this;
            }

            /// <summary>Evaluation mode: same as train(false).</summary>
            public Module eval() => train(false);

            /// <summary>Zeroes every parameter's gradient in place (PyTorch 1.13's zero_grad(set_to_none=False)),
            /// so gradient views such as <see cref="FlatParameters"/> keep pointing at live memory.</summary>
            public void zero_grad()
            {
                foreach (var p in parameters())
                {
                    Check(NativeMethods.ct_nn_zero_grad(H(p)));
                    GC.KeepAlive(p);
                }
            }

            /// <summary>Moves every parameter and buffer to <paramref name="device"/>, keeping the same tensor objects
            /// (as PyTorch's param.data = ...), so optimizers built earlier still see them.</summary>
            public Module to(Device device) => Apply(t => t.to(device));

            /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/>.</summary>
            public Module to(ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype) : null);

            private Module Apply(Func<Tensor, Tensor?> convert)
            {
                foreach (var t in parameters().Concat(buffers()))
                {
                    using var converted = convert(t);
                    if (converted is null) continue;
                    Check(NativeMethods.ct_nn_set_data(H(t), H(converted)));
                    GC.KeepAlive(t);
                }
                return this;
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (_disposed || !disposing) return;
                _disposed = true;
                foreach (var m in _modules.Values) m.Dispose();
                foreach (var t in _parameters.Values) t?.Dispose();
                foreach (var t in _buffers.Values) t?.Dispose();
            }

            /// <summary>The layer's settings as PyTorch prints them inside the parentheses ("in_features=5, ...").</summary>
            protected virtual string extra_repr() => "";

            /// <summary>PyTorch's module printout: the name, the settings, and each child indented on its own line.</summary>
            public override string ToString()
            {
                var extra = extra_repr();
                if (_modules.Count == 0) return $"{name}({extra})";
                var sb = new System.Text.StringBuilder(name).Append('(');
                if (extra.Length > 0) sb.Append("\n  ").Append(extra);
                foreach (var (child, module) in _modules)
                    sb.Append("\n  (").Append(child).Append("): ").Append(module.ToString().Replace("\n", "\n  "));
                return sb.Append("\n)").ToString();
            }

            private protected static string Tuple(long[] values) => values.Length == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";

            private protected static string Py(bool value) => value ? "True" : "False";

            private protected static string Py(double value) => value.ToString("0.0###########", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
