using Dispatch.Cli;

// dispatch watch --server URL --user NAME --ward ID     (password from DISPATCH_PASSWORD)
// dispatch raise --server URL --bed ID --kind KIND      (device key from DISPATCH_DEVICE_KEY)
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
        ["watch", .. var rest] => await Commands.WatchAsync(Arguments.Parse(rest), stop.Token),
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
