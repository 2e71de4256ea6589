using System.ComponentModel.DataAnnotations;
using System.IO.Ports;

namespace Dispatch.Lines;

/// <summary>How a line is reached and what it speaks: shared by the lines from the primary system and the link to the paging server.</summary>
public abstract class LineLinkOptions : IValidatableObject
{
    public const string Espa = "espa";
    public const string Tap = "tap";

    /// <summary>"espa" (ESPA 4.4.4) or "tap" (TAP 1.8).</summary>
    [Required]
    public string Protocol { get; set; } = "";

    /// <summary>The line's key from the hospital import's secrets file (kind line-key). Required.</summary>
    [Required]
    public string Key { get; set; } = "";

    /// <summary>host:port to listen on: the other end connects here (one connection at a time).</summary>
    public string? Listen { get; set; }

    /// <summary>host:port to connect to (a serial-to-TCP converter, a paging server), reconnecting when it drops.</summary>
    public string? Connect { get; set; }

    /// <summary>A serial port (/dev/ttyS0, /dev/ttyUSB0, a pty).</summary>
    public string? Serial { get; set; }

    [Range(50, 115_200)]
    public int BaudRate { get; set; } = 9600;

    /// <summary>TAP is specified 7 data bits, even parity; ESPA 4.4.4 installations vary (set both to what the other end uses).</summary>
    [Range(7, 8)]
    public int DataBits { get; set; } = 8;

    public Parity Parity { get; set; } = Parity.None;

    public StopBits StopBits { get; set; } = StopBits.One;

    /// <summary>How long an answer (an ACK, the next character of a block) is waited for.</summary>
    [Range(100, 120_000)]
    public int AnswerTimeoutMs { get; set; } = 3_000;

    /// <summary>TAP: the password sent or expected after ESC PG1 (up to 6 characters); none when empty.</summary>
    [MaxLength(6)]
    public string? TapPassword { get; set; }

    /// <summary>ESPA: this end's station address.</summary>
    public abstract char EspaAddress { get; set; }

    /// <summary>ESPA: the other end's station address.</summary>
    public abstract char EspaPeerAddress { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in ValidateEnd())
        {
            yield return result;
        }
        if (Protocol is not (Espa or Tap))
        {
            yield return new ValidationResult($"Protocol must be '{Espa}' or '{Tap}', not '{Protocol}'.", [nameof(Protocol)]);
        }
        if (new[] { Listen, Connect, Serial }.Count(s => !string.IsNullOrWhiteSpace(s)) != 1)
        {
            yield return new ValidationResult("Exactly one of Listen (host:port), Connect (host:port) or Serial (a device path) is required.", [nameof(Listen)]);
        }
        if (!char.IsAsciiDigit(EspaAddress) || !char.IsAsciiDigit(EspaPeerAddress) || EspaAddress == EspaPeerAddress)
        {
            yield return new ValidationResult("EspaAddress and EspaPeerAddress must be two different digits '0' to '9'.", [nameof(EspaAddress)]);
        }
    }

    /// <summary>What this end (a line, the paging link) checks of its own settings.</summary>
    protected abstract IEnumerable<ValidationResult> ValidateEnd();
}
