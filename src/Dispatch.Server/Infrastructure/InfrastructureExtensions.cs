using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Dispatch.Outbox;
using Microsoft.Extensions.Options;
using MySqlConnector;
using Polly;
using Polly.Retry;

namespace Dispatch.Server.Infrastructure;

/// <summary>What every feature stands on: the database, the one transaction helper, the clock, the outbox wake and the cluster's lead.</summary>
public static partial class InfrastructureExtensions
{
    public const string DeadlockRetry = "deadlock-retry";

    public static IHostApplicationBuilder AddInfrastructure(this IHostApplicationBuilder builder)
    {
        // Started from another folder (scripts/run.sh starts it from the repository's root), the
        // content root holds no appsettings.json: the one published beside the binary is read
        // instead, below the environment and the command line as usual.
        if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")))
        {
            builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
            {
                Path = "appsettings.json",
                Optional = true,
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            });
        }
        builder.Services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return new MySqlDataSourceBuilder(options.ConnectionString)
                .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
                .Build();
        });

        builder.Services.AddResiliencePipeline(DeadlockRetry, static (pipeline, context) =>
            pipeline.AddRetry(DeadlockRetryOptions(context.ServiceProvider.GetRequiredService<ILogger<MySqlDataSource>>())));
        builder.Services.AddSingleton<Transactions>();
        builder.Services.AddSingleton<ReplicaReads>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplicaReads>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<ClusterLead>();
        builder.Services.AddHostedService<ClusterLeadership>();
        return builder;
    }

    /// <summary>
    /// Binds a section to its options and validates them (data annotations, and whatever the caller
    /// adds) when the host starts: a process with a setting out of range does not start, and says which.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// MySQL/MariaDB error 1213 (deadlock) rolls the transaction back: the whole transaction is
    /// retried three times, 50, 100 and 200 ms apart. Then the caller answers 503.
    /// </summary>
    internal static RetryStrategyOptions DeadlockRetryOptions(ILogger logger) => new()
    {
        ShouldHandle = new PredicateBuilder().Handle<MySqlException>(DatabaseFailures.IsDeadlock),
        MaxRetryAttempts = 3,
        BackoffType = DelayBackoffType.Exponential,
        Delay = TimeSpan.FromMilliseconds(50),
        UseJitter = false,
        OnRetry = args =>
        {
            Log.DeadlockRetried(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
            return default;
        },
    };

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Warning, "Deadlock (1213); retry {Attempt} of 3 in {DelayMs} ms")]
        public static partial void DeadlockRetried(ILogger logger, int attempt, double delayMs);
    }
}
