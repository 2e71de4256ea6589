using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[CollectionDefinition(Name)]
public sealed class DispatchCollection : ICollectionFixture<DispatchFixture>
{
    public const string Name = "Dispatch server on MariaDB";
}
