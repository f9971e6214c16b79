namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A module with one input and one output; subclass and implement <see cref="forward"/>.</summary>
        public abstract class Module<TIn, TOut> : Module
        {
            protected Module(string? name = null) : base(name) { }

            public abstract TOut forward(TIn input);

            /// <summary>Runs the module (PyTorch's module(x)); today the same as <see cref="forward"/>.</summary>
            public TOut call(TIn input) => forward(input);
        }

        /// <summary>A module with two inputs (losses: input and target).</summary>
        public abstract class Module<TIn1, TIn2, TOut> : Module
        {
            protected Module(string? name = null) : base(name) { }

            public abstract TOut forward(TIn1 input1, TIn2 input2);

            public TOut call(TIn1 input1, TIn2 input2) => forward(input1, input2);
        }
    }
}
