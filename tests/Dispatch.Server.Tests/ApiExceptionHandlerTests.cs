using Dispatch.Server.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests;

/// <summary>What the exception handler writes to the log: one line per failed request, whatever its path.</summary>
public sealed class ApiExceptionHandlerTests
{
    [Fact]
    public async Task ARequestPathWithALineBreakIsLoggedEscapedOnOneLine()
    {
        var logger = new RecordingLogger();
        var handler = new ApiExceptionHandler(new AnsweringProblemDetails(), logger);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/wards/x\nwarn: forged line";

        await handler.TryHandleAsync(context, new TimeoutException("The database did not answer."), CancellationToken.None);

        context.Response.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        logger.Lines.Should().ContainSingle().Which.Should().NotContain("\n").And.Contain("/api/wards/x%0Awarn:%20forged%20line");
    }

    private sealed class AnsweringProblemDetails : IProblemDetailsService
    {
        public ValueTask WriteAsync(ProblemDetailsContext context) => ValueTask.CompletedTask;

        public ValueTask<bool> TryWriteAsync(ProblemDetailsContext context) => ValueTask.FromResult(true);
    }

    private sealed class RecordingLogger : ILogger<ApiExceptionHandler>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
