using Dispatch.Cli;

// dispatch login | watch | raise | heartbeat | ack | swarm | poll; `dispatch --help` and `dispatch COMMAND --help` say more.
return await Commands.Root().Parse(args).InvokeAsync();
