using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServerlessRegistry.Testing;

/// <summary>One line a <see cref="CapturingLoggerProvider"/> kept.</summary>
public sealed record CapturedLine(string Category, LogLevel Level, string Message);

/// <summary>A logger provider that keeps every line, at every level, for a test to read. Thread-safe.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<CapturedLine> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, Lines);

    public void Dispose()
    {
    }

    private sealed class Capturing(string category, ConcurrentQueue<CapturedLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new CapturedLine(category, logLevel, formatter(state, exception)));
    }
}
