namespace PrunerCluster.Client.CommandLine;

/// <summary>Process exit codes of every prunercluster command (documented in the root help).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked; for waiting commands, the experiment completed.</summary>
    public const int Ok = 0;

    /// <summary>The experiment ended cancelled or failed, or the requested work failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, spec, file or experiment id: nothing was started.</summary>
    public const int Usage = 2;

    /// <summary>The cluster could not be reached or stopped answering.</summary>
    public const int Unavailable = 3;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT): embedded work is cancelled, a cluster experiment keeps running.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + 15): batch schedulers, <c>timeout</c>, systemd and Kubernetes.</summary>
    public const int Terminated = 143;

    /// <summary>Stopped by SIGHUP (128 + 1): the terminal went away.</summary>
    public const int HungUp = 129;

    public const string HelpText =
        "Exit codes: 0 done (experiment completed), 1 experiment cancelled/failed or work failed, 2 bad input (arguments, spec, file, id), " +
        "3 cluster unreachable, 130 interrupted by Ctrl+C (SIGINT), 143 stopped by SIGTERM, 129 stopped by SIGHUP.";

    /// <summary>The exit code of a command stopped by <paramref name="signal"/>: 128 + its number, as shells report it.</summary>
    public static int ForSignal(System.Runtime.InteropServices.PosixSignal signal) => signal switch
    {
        System.Runtime.InteropServices.PosixSignal.SIGTERM => Terminated,
        System.Runtime.InteropServices.PosixSignal.SIGHUP => HungUp,
        _ => Interrupted,
    };
}
