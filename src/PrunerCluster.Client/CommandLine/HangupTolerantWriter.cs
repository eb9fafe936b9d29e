using System.Text;

namespace PrunerCluster.Client.CommandLine;

/// <summary>
/// A terminal's writer that outlives the terminal: once a write fails (EIO after the terminal hung up), later writes are
/// dropped, so a command stopped by SIGHUP still finishes writing its files instead of failing on its next line of output.
/// </summary>
public sealed class HangupTolerantWriter(TextWriter inner) : TextWriter
{
    private volatile bool _gone;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    /// <summary>Whether a write failed: the terminal is gone and output is dropped.</summary>
    public bool Gone => _gone;

    /// <summary>The writer for a process stream: wrapped when it is a terminal, as is when redirected (where errors must show).</summary>
    public static TextWriter ForTerminal(TextWriter writer, bool redirected) => redirected ? writer : new HangupTolerantWriter(writer);

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        var copy = buffer.ToString();
        Guard(() => inner.Write(copy));
    }

    public override void WriteLine() => Guard(inner.WriteLine);

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void Flush() => Guard(inner.Flush);

    private void Guard(Action write)
    {
        if (_gone)
        {
            return;
        }

        try
        {
            write();
        }
        catch (IOException)
        {
            _gone = true;
        }
    }
}
