using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Dispatch.Client;
using Dispatch.Contracts;

namespace Dispatch.Cli;

/// <summary>
/// The commands and their options. Unknown options and arguments are errors (a typo never drops a
/// threshold silently); secrets come from the environment (<see cref="Secrets"/>).
/// </summary>
internal static class Commands
{
    private static readonly Option<Uri> s_server = new("--server")
    {
        Description = "The server, or nginx in front of the cluster",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
        CustomParser = ParseUri,
        Recursive = true,
    };

    public static RootCommand Root()
    {
        var root = new RootCommand($"""
            The Dispatch command line: a terminal board, a bed's call button, the load generator, and a
            simulated nurse-call system and paging server for Dispatch.Gateway (espa, tap, page).
            Secrets come from the environment: {Secrets.Password}, {Secrets.Token}, {Secrets.DeviceKey}, {Secrets.StationKey}.
            """);
        root.Options.Add(s_server);
        foreach (var command in new[] { Login(), Watch(), Raise(), Heartbeat(), Acknowledge(), Swarm(), Poll(), LineSend("espa"), LineSend("tap"), PageListen(), BedsideSheet() })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    private static Command Login()
    {
        var user = UserOption(required: true);
        var command = new Command("login", $"Signs in ({Secrets.Password}) and prints the session token, for {Secrets.Token}: export {Secrets.Token}=$(dispatch login --user NAME)")
        {
            user,
        };
        command.SetAction(Run(async (parse, ct) =>
        {
            var session = await DispatchClient.SignInAsync(parse.GetValue(s_server)!, parse.GetValue(user)!, Secrets.Required(Secrets.Password), ct);
            Console.Error.WriteLine($"Signed in as {session.DisplayName} ({session.Role}) until {session.ExpiresAt:u}.");
            Console.WriteLine(session.Token);
            return 0;
        }));
        return command;
    }

    private static Command Watch()
    {
        var ward = new Option<int>("--ward") { Description = "The ward to watch", Required = true };
        var user = UserOption(required: true);
        var command = new Command("watch",
            $"A live board in the terminal: the ward's open calls, then every event as it arrives ({Secrets.Password}; "
            + $"{Secrets.StationKey}, if set, makes this terminal a supervised station screen)")
        {
            ward, user,
        };
        command.SetAction(Run((parse, ct) => TerminalBoard.RunAsync(parse.GetValue(s_server)!, parse.GetValue(ward), parse.GetValue(user)!, ct)));
        return command;
    }

    private static Command Raise()
    {
        var bed = new Option<int>("--bed") { Description = "The bed whose button is pressed", Required = true };
        var kind = new Option<string>("--kind") { Description = "The call's kind", Required = true };
        kind.AcceptOnlyFromAmong([.. CallKinds.All]);
        var command = new Command("raise", $"What a bed's call button does: raises a call with the bed device's key ({Secrets.DeviceKey})")
        {
            bed, kind,
        };
        command.SetAction(Run(async (parse, ct) =>
        {
            using var api = new DispatchApi(parse.GetValue(s_server)!);
            var call = await api.RaiseCallAsync(parse.GetValue(bed), parse.GetValue(kind)!, Secrets.Required(Secrets.DeviceKey), cancellationToken: ct);
            Console.WriteLine(TerminalBoard.Describe(call));
            return 0;
        }));
        return command;
    }

    private static Command Heartbeat()
    {
        var command = new Command("heartbeat", $"A bed device says it is alive, with its key ({Secrets.DeviceKey}); clears the trouble call of its silence");
        command.SetAction(Run(async (parse, ct) =>
        {
            using var api = new DispatchApi(parse.GetValue(s_server)!);
            await api.DeviceHeartbeatAsync(Secrets.Required(Secrets.DeviceKey), ct);
            Console.WriteLine("heartbeat recorded");
            return 0;
        }));
        return command;
    }

    private static Command Acknowledge()
    {
        var call = new Option<long>("--call") { Description = "The call to acknowledge", Required = true };
        var command = new Command("ack", $"Acknowledges a call as the signed-in staff member ({Secrets.Token}): its escalation stops")
        {
            call,
        };
        command.SetAction(Run(async (parse, ct) =>
        {
            using var api = new DispatchApi(parse.GetValue(s_server)!);
            Console.WriteLine(TerminalBoard.Describe(await api.AcknowledgeAsync(parse.GetValue(call), Secrets.Required(Secrets.Token), ct)));
            return 0;
        }));
        return command;
    }

    private static Command Swarm()
    {
        var stations = new Option<int>("--stations") { Description = "Station connections to open", Required = true };
        var rate = new Option<double>("--calls-per-second") { Description = "Calls raised per second; 0 holds the stations idle", DefaultValueFactory = _ => 10 };
        var seconds = new Option<int>("--seconds") { Description = "How long calls are raised (or the stations held)", Required = true };
        var devices = new Option<FileInfo>("--devices") { Description = "Bed devices: an env file of BED_{id}_WARD and BED_{id}_KEY lines", Required = true };
        var user = UserOption(required: false);
        var subnets = new Option<int>("--subnets") { Description = "Loopback /24s the stations come from (ip_hash keys on them)", DefaultValueFactory = _ => 8 };
        var nodes = new Option<string[]>("--nodes") { Description = "The nodes' own addresses, comma-separated, for their /ws-health", CustomParser = ParseUris };
        var maxFailed = new Option<int>("--max-failed") { Description = "Station connections that may fail", DefaultValueFactory = _ => 0 };
        var maxLost = new Option<int>("--max-lost") { Description = "Deliveries that may be lost", DefaultValueFactory = _ => 0 };
        var maxP99 = new Option<double?>("--max-p99-ms") { Description = "The press-to-station p99 latency that may not be exceeded, in ms" };
        foreach (var count in new[] { stations, seconds })
        {
            count.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<int>(), 1));
        }
        subnets.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 254) r.AddError("--subnets must be between 1 and 254."); });
        rate.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<double>(), 0));

        var command = new Command("swarm", $"The load generator: stations through nginx, calls at a rate, press-to-station latency, lost and doubled deliveries ({Secrets.Password}); exits 1 when a threshold is missed")
        {
            stations, rate, seconds, devices, user, subnets, nodes, maxFailed, maxLost, maxP99,
        };
        command.SetAction(Run(async (parse, ct) =>
        {
            // Before the first socket: each station's receive continues on the socket engine's
            // thread instead of a thread-pool hop per message (measured against the floor, 5,000
            // stations: 98–105 % of a core → 76–80 %, and half the latency; docs/benchmarks.md).
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
            var settings = new SwarmSettings(
                parse.GetValue(s_server)!,
                [.. (parse.GetValue(nodes) ?? []).Select(n => new Uri(n))],
                parse.GetValue(stations),
                parse.GetValue(rate),
                parse.GetValue(seconds),
                parse.GetValue(subnets),
                parse.GetValue(user)!,
                Secrets.Required(Secrets.Password),
                DeviceFile.Read(parse.GetValue(devices)!.FullName),
                new SwarmThresholds(parse.GetValue(maxFailed), parse.GetValue(maxLost), parse.GetValue(maxP99)));
            using var swarm = new Swarm(settings, Console.Error);
            var report = await swarm.RunAsync(ct);
            Console.Write(report.Text());
            Console.WriteLine(report.ResultLine());
            return report.Passed ? 0 : 1;
        }));
        return command;
    }

    private static Command Poll()
    {
        var screens = new Option<int>("--screens") { Description = "Polling screens", Required = true };
        var seconds = new Option<int>("--seconds") { Description = "How long they poll", Required = true };
        var devices = new Option<FileInfo>("--devices") { Description = "Bed devices (their wards are polled): an env file of BED_{id}_WARD lines", Required = true };
        var interval = new Option<int>("--interval-ms") { Description = "Each screen's poll interval", DefaultValueFactory = _ => 500 };
        var user = UserOption(required: false);
        foreach (var count in new[] { screens, seconds, interval })
        {
            count.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<int>(), 1));
        }
        var command = new Command("poll", $"The legacy polling model, for comparison with push: N screens each asking for their ward's new events every interval ({Secrets.Password})")
        {
            screens, seconds, devices, interval, user,
        };
        command.SetAction(Run((parse, ct) => Cli.Poll.RunAsync(new PollSettings(
            parse.GetValue(s_server)!,
            parse.GetValue(screens),
            TimeSpan.FromMilliseconds(parse.GetValue(interval)),
            TimeSpan.FromSeconds(parse.GetValue(seconds)),
            DeviceFile.Read(parse.GetValue(devices)!.FullName),
            parse.GetValue(user)!,
            Secrets.Required(Secrets.Password)), ct)));
        return command;
    }

    private static Option<string> UserOption(bool required) => new("--user")
    {
        Description = "The staff member to sign in as",
        Required = required,
        DefaultValueFactory = required ? null : _ => "admin",
    };

    /// <summary>dispatch espa send / dispatch tap send: the primary nurse-call system sends one call to the gateway.</summary>
    private static Command LineSend(string protocol)
    {
        var to = new Option<string>("--to") { Description = "The gateway's line: host:port (its Listen), or a serial device's path", Required = true };
        var address = new Option<string>("--address") { Description = "The call address (ESPA record 1, TAP pager id), as the hospital file's lines map it", Required = true };
        var text = new Option<string>("--text") { Description = "The message's text (words in it may change the call's kind, or end it)", DefaultValueFactory = _ => "" };
        var password = new Option<string?>("--password") { Description = "TAP: the password after ESC PG1, if the line has one" };
        var send = new Command("send", $"Sends one call over {protocol.ToUpperInvariant()}, as the primary nurse-call system would; exits 1 if it is not accepted")
        {
            to, address, text,
        };
        if (protocol == "tap")
        {
            send.Options.Add(password);
        }
        send.SetAction(Run(async (parse, ct) =>
        {
            var accepted = await LineSimulator.SendAsync(protocol, parse.GetValue(to)!, parse.GetValue(address)!, parse.GetValue(text)!, parse.GetValue(password), ct);
            Console.WriteLine(accepted ? "accepted" : "not accepted (see the gateway's log)");
            return accepted ? 0 : 1;
        }));
        return new Command(protocol, protocol == "tap" ? "A TAP 1.8 entry device (the primary system's side)" : "An ESPA 4.4.4 station (the primary system's side)") { send };
    }

    /// <summary>dispatch page listen: a paging server that prints what the gateway pages.</summary>
    private static Command PageListen()
    {
        var protocol = new Option<string>("--protocol") { Description = "What the gateway's Gateway:Paging:Protocol is", DefaultValueFactory = _ => "tap" };
        protocol.AcceptOnlyFromAmong("tap", "espa");
        var listen = new Option<string>("--listen") { Description = "host:port to listen on (the gateway's Gateway:Paging:Connect)", DefaultValueFactory = _ => "127.0.0.1:7010" };
        var command = new Command("listen", "A paging server: prints every page the gateway sends and answers it, until Ctrl+C") { protocol, listen };
        command.SetAction(Run(async (parse, ct) =>
        {
            await LineSimulator.ListenAsync(parse.GetValue(protocol)!, parse.GetValue(listen)!, ct);
            return 0;
        }));
        return new Command("page", "The paging server's side of the gateway's pages") { command };
    }

    private static Command BedsideSheet()
    {
        var secrets = new Option<FileInfo>("--secrets") { Description = "The bed keys: the hospital import's secrets file, or the demo's credentials file", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "The page to write (HTML; a new file, mode 0600: it holds keys)", Required = true };
        var command = new Command("bedside-sheet",
            "A printable page of QR codes, one per bed: scanned by a bed's tablet or panel, it opens the bedside page set up with its bed and key. --server is the address the tablets use")
        {
            secrets, output,
        };
        command.SetAction(Run(async (parse, ct) =>
        {
            var beds = Cli.BedsideSheet.Read(parse.GetValue(secrets)!.FullName, parse.GetValue(s_server)!);
            var path = parse.GetValue(output)!.FullName;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var file = new FileStream(path, options))
            {
                await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(Cli.BedsideSheet.Html(beds)), ct);
            }
            await Console.Error.WriteLineAsync($"The set-up codes of {beds.Count} beds are in {path} (mode 0600): print it, scan each code at its bed, then destroy it.");
            return 0;
        }));
        return command;
    }

    /// <summary>A command's work, with what a person can act on (a missing secret, a refusal) said in one line instead of a stack trace.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Run(Func<ParseResult, CancellationToken, Task<int>> action) => async (parse, ct) =>
    {
        try
        {
            return await action(parse, ct);
        }
        catch (Exception e) when (e is ArgumentException or HttpRequestException or IOException or System.Net.Sockets.SocketException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
    };

    private static void AtLeast<T>(OptionResult result, T value, T least) where T : IComparable<T>
    {
        if (value.CompareTo(least) < 0)
        {
            result.AddError($"{result.Option.Name} must be at least {Convert.ToString(least, CultureInfo.InvariantCulture)}.");
        }
    }

    private static Uri? ParseUri(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        result.AddError($"'{text}' is not an http(s) address.");
        return null;
    }

    private static string[] ParseUris(ArgumentResult result)
    {
        var addresses = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        foreach (var address in addresses.Where(a => !Uri.TryCreate(a, UriKind.Absolute, out _)))
        {
            result.AddError($"'{address}' is not an address.");
        }
        return addresses;
    }
}
