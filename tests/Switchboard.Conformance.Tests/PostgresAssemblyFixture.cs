using Switchboard.Testing;

// One PostgreSQL cluster for the whole assembly, started only when a test first asks for it; each test creates its own database.
[assembly: AssemblyFixture(typeof(PostgresClusterFixture))]
