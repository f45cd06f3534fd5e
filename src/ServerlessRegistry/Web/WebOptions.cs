namespace ServerlessRegistry.Web;

/// <summary>The web interface's settings (section "Web").</summary>
internal sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>
    /// Whether the registry serves the web interface. Off, the front end answers nothing and "/" is the plain liveness
    /// answer (an empty 200). Default on.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Reads the section once at start; a malformed value stops the start with one line naming it.</summary>
    public static WebOptions From(IConfiguration configuration)
    {
        var text = configuration[Section + ":Enabled"];
        if (text is null)
        {
            return new WebOptions();
        }

        return bool.TryParse(text, out var enabled)
            ? new WebOptions { Enabled = enabled }
            : throw new InvalidOperationException($"Web:Enabled must be true or false, not '{text}'.");
    }
}
