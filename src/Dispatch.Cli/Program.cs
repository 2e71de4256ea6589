using Dispatch.Cli;

// dispatch login | watch | raise | heartbeat | ack | swarm | poll | espa send | tap send | page listen; `dispatch --help` and `dispatch COMMAND --help` say more.
return await Commands.Root().Parse(args).InvokeAsync();
