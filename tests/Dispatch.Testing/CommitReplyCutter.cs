using System.Net;
using System.Net.Sockets;
using System.Text;
using MySqlConnector;

namespace Dispatch.Testing;

/// <summary>
/// A TCP proxy in front of MariaDB that can lose the reply to one COMMIT: the database receives
/// the COMMIT and answers it, and the connection to the client then breaks before the answer
/// reaches it, as when the network or the server goes away at that instant. Armed for the next
/// COMMIT of a transaction that sent a given statement; every other byte passes unchanged. It
/// reads the client's MySQL packets (length, sequence, payload), so the connection must not use TLS.
/// </summary>
public sealed class CommitReplyCutter : IAsyncDisposable
{
    private const byte ComQuery = 0x03;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _database;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private string? _armedFor;

    /// <param name="connectionString">The database's own; <see cref="ConnectionString"/> goes through the proxy.</param>
    public CommitReplyCutter(string connectionString)
    {
        var direct = new MySqlConnectionStringBuilder(connectionString);
        _database = new IPEndPoint(IPAddress.Parse(direct.Server), (int)direct.Port);
        _listener.Start();
        ConnectionString = new MySqlConnectionStringBuilder(connectionString)
        {
            Server = "127.0.0.1",
            Port = (uint)((IPEndPoint)_listener.LocalEndpoint).Port,
            SslMode = MySqlSslMode.None,
        }.ConnectionString;
        _accepting = AcceptAsync();
    }

    public string ConnectionString { get; }

    /// <summary>Set once the armed COMMIT was answered by the database and its answer dropped.</summary>
    public TaskCompletionSource CommitReplyLost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next COMMIT of a transaction that sent a statement containing <paramref name="statementText"/> loses its reply.</summary>
    public void CutTheNextCommitAfter(string statementText) => Volatile.Write(ref _armedFor, statementText);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        var connection = new Connection();
        try
        {
            await server.ConnectAsync(_database, _stop.Token);
            var answers = PassAnswersAsync(server.GetStream(), client, connection);
            await PassPacketsAsync(client.GetStream(), server.GetStream(), connection);
            await answers;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side closed, or the armed commit's reply was lost; the other side is closed with it.
        }
    }

    /// <summary>The client's packets to the database, one at a time, watching for the armed transaction's COMMIT.</summary>
    private async Task PassPacketsAsync(NetworkStream client, NetworkStream server, Connection connection)
    {
        var header = new byte[4];
        var sawArmedStatement = false;
        while (true)
        {
            await client.ReadExactlyAsync(header, _stop.Token);
            var payload = new byte[header[0] | header[1] << 8 | header[2] << 16];
            await client.ReadExactlyAsync(payload, _stop.Token);
            var query = payload.Length > 0 && payload[0] == ComQuery ? Encoding.UTF8.GetString(payload, 1, payload.Length - 1).Trim().TrimEnd(';') : "";
            var armedFor = Volatile.Read(ref _armedFor);
            sawArmedStatement |= armedFor is not null && query.Contains(armedFor, StringComparison.OrdinalIgnoreCase);
            var isCommit = query.Equals("commit", StringComparison.OrdinalIgnoreCase);
            if (isCommit && sawArmedStatement && Interlocked.CompareExchange(ref _armedFor, null, armedFor) == armedFor)
            {
                // The client waits for each answer before it sends more, so whatever the
                // database sends from now on is this COMMIT's answer.
                connection.LoseTheNextAnswer = true;
            }
            if (isCommit || query.Equals("rollback", StringComparison.OrdinalIgnoreCase))
            {
                sawArmedStatement = false;
            }
            await server.WriteAsync(header, _stop.Token);
            await server.WriteAsync(payload, _stop.Token);
        }
    }

    /// <summary>The database's bytes to the client, until an answer is to be lost: then the client's connection is broken instead.</summary>
    private async Task PassAnswersAsync(NetworkStream server, TcpClient client, Connection connection)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await server.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (connection.LoseTheNextAnswer)
            {
                client.Client.Close();
                CommitReplyLost.TrySetResult();
                return;
            }
            await client.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
        client.Client.Close();
    }

    private sealed class Connection
    {
        public volatile bool LoseTheNextAnswer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
