namespace PrunerCluster.Pruning.Data;

/// <summary>A dataset file is missing or malformed. The message names the path, the expected format and how to obtain the data.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException()
    {
    }

    public DatasetException(string message)
        : base(message)
    {
    }

    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DatasetException(string path, string expectedFormat, string hint, string problem, Exception? innerException = null)
        : base($"{problem}: '{path}' (expected {expectedFormat}). {hint}", innerException)
    {
        Path = path;
        ExpectedFormat = expectedFormat;
        Hint = hint;
    }

    public string? Path { get; }

    public string? ExpectedFormat { get; }

    public string? Hint { get; }
}
