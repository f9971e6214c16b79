namespace ClusterTrainer.Actors.Serialization;

/// <summary>Hand-written binary codec for one message type. Codecs are stateless and thread-safe.</summary>
public interface IMessageCodec<T>
{
    void Write(MessageWriter writer, T message);
    T Read(ref MessageReader reader);
}

/// <summary>Reads one message from a payload (a delegate because lambdas cannot otherwise take a ref struct by ref).</summary>
public delegate T ReadMessage<out T>(ref MessageReader reader);

/// <summary>A codec made of two lambdas, so registering a record is one line.</summary>
public sealed class DelegateCodec<T>(Action<MessageWriter, T> write, ReadMessage<T> read) : IMessageCodec<T>
{
    public void Write(MessageWriter writer, T message) => write(writer, message);
    public T Read(ref MessageReader reader) => read(ref reader);
}

/// <summary>Codec for a message with no fields: nothing on the wire, the one instance on read.</summary>
public sealed class SingletonCodec<T>(T instance) : IMessageCodec<T>
{
    public void Write(MessageWriter writer, T message) { }
    public T Read(ref MessageReader reader) => instance;
}
