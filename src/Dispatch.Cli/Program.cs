using Dispatch.Cli;

// dispatch login | watch | raise | ack | swarm | poll: see Commands.Usage.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    return args switch
    {
        ["login", .. var rest] => await Commands.LoginAsync(Arguments.Parse(rest), stop.Token),
        ["watch", .. var rest] => await Commands.WatchAsync(Arguments.Parse(rest), stop.Token),
        ["ack", .. var rest] => await Commands.AcknowledgeAsync(Arguments.Parse(rest), stop.Token),
        ["swarm", .. var rest] => await Commands.SwarmAsync(Arguments.Parse(rest), stop.Token),
        ["poll", .. var rest] => await Poll.RunAsync(Arguments.Parse(rest), stop.Token),
        ["raise", .. var rest] => await Commands.RaiseAsync(Arguments.Parse(rest), stop.Token),
        _ => Commands.Usage(),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return Commands.Usage();
}
catch (HttpRequestException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}
