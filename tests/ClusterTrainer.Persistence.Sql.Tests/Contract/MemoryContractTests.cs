using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Persistence.Sql.Tests.Contract;

public sealed class MemoryJournalContractTests : JournalContract
{
    private readonly MemoryJournal shared = new();

    protected override Task<IJournal> CreateJournalAsync() => Task.FromResult<IJournal>(shared);

    // The in-memory journal has no separate connections: a second "instance" is the same object.
    protected override Task<IJournal> OpenSecondInstanceAsync() => Task.FromResult<IJournal>(shared);
}

public sealed class MemorySnapshotStoreContractTests : SnapshotStoreContract
{
    protected override Task<ISnapshotStore> CreateStoreAsync() => Task.FromResult<ISnapshotStore>(new MemorySnapshotStore());
}
