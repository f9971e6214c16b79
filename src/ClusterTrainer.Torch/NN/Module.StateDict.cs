using System.Text;
using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public abstract partial class Module
        {
            /// <summary>
            /// The module's state as PyTorch orders it: per module its parameters then its persistent buffers,
            /// then each submodule's, recursively. The values are the live parameter and buffer tensors (not
            /// copies): read or save them, do not dispose them.
            /// </summary>
            public OrderedDictionary<string, Tensor> state_dict()
            {
                var result = new OrderedDictionary<string, Tensor>();
                var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
                CollectState("", result, seen);
                return result;
            }

            private void CollectState(string prefix, OrderedDictionary<string, Tensor> into, HashSet<Module> seen)
            {
                if (!seen.Add(this)) return;
                foreach (var kv in _parameters)
                    if (kv.Value is not null) into[Join(prefix, kv.Key)] = kv.Value;
                foreach (var kv in _buffers)
                    if (kv.Value is not null && IsPersistent(kv.Key)) into[Join(prefix, kv.Key)] = kv.Value;
                foreach (var kv in _modules) kv.Value.CollectState(Join(prefix, kv.Key), into, seen);
            }

            /// <summary>
            /// Copies <paramref name="stateDict"/>'s tensors into this module's parameters and buffers (in place,
            /// under no_grad, converting dtype when needed). With <paramref name="strict"/> (the default) every key
            /// must match: missing keys, unexpected keys and shape mismatches are all reported in one
            /// <see cref="ArgumentException"/>. Non-strict loads what matches and returns what did not.
            /// Shape mismatches are errors either way (as in PyTorch).
            /// </summary>
            public (IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys) load_state_dict(
                IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
            {
                ArgumentNullException.ThrowIfNull(stateDict);
                var own = state_dict();
                var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
                var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
                var mismatched = new List<string>();
                foreach (var (key, target) in own)
                {
                    if (!stateDict.TryGetValue(key, out var source)) continue;
                    if (!source.shape.SequenceEqual(target.shape))
                        mismatched.Add($"size mismatch for {key}: copying a param with shape {Shape(source.shape)} from checkpoint, " +
                                       $"the shape in current model is {Shape(target.shape)}.");
                }

                if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
                {
                    var sb = new StringBuilder($"Error(s) in loading state_dict for {name}:");
                    if (strict && missing.Count > 0) sb.Append("\n\tMissing key(s) in state_dict: ").Append(string.Join(", ", missing.Select(k => $"\"{k}\""))).Append('.');
                    if (strict && unexpected.Count > 0) sb.Append("\n\tUnexpected key(s) in state_dict: ").Append(string.Join(", ", unexpected.Select(k => $"\"{k}\""))).Append('.');
                    foreach (var m in mismatched) sb.Append("\n\t").Append(m);
                    sb.Append("\nCheck that the checkpoint was saved from the same architecture, or pass strict: false to load the matching keys only.");
                    throw new ArgumentException(sb.ToString(), nameof(stateDict));
                }

                foreach (var (key, target) in own)
                {
                    if (!stateDict.TryGetValue(key, out var source)) continue;
                    CopyInto(target, source);
                }
                return (missing, unexpected);
            }

            private static void CopyInto(Tensor target, Tensor source)
            {
                if (source.dtype == target.dtype && source.device == target.device)
                {
                    Check(NativeMethods.ct_nn_copy_(H(target), H(source)));
                }
                else
                {
                    using var converted = source.to(target.dtype, target.device);
                    Check(NativeMethods.ct_nn_copy_(H(target), H(converted)));
                }
                GC.KeepAlive(target);
                GC.KeepAlive(source);
            }

            private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

            /// <summary>Saves <see cref="state_dict"/> in PyTorch's zip format: Python's torch.load(path) opens it.</summary>
            public void save(string path) => torch.save(state_dict(), path);

            /// <summary>Loads a state_dict file written by <see cref="save"/>, <see cref="torch.save(IEnumerable{KeyValuePair{string,Tensor}},string)"/>
            /// or Python's torch.save(model.state_dict(), path).</summary>
            public Module load(string path, bool strict = true)
            {
                var loaded = torch.load(path);
                try
                {
                    load_state_dict(loaded, strict);
                }
                finally
                {
                    foreach (var t in loaded.Values) t.Dispose();
                }
                return this;
            }
        }
    }
}
