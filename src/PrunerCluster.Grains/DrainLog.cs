using Microsoft.Extensions.Logging;

namespace PrunerCluster.Grains;

internal static partial class DrainLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Individual {Key}: this silo is draining; evaluation handed back unstarted to {Subscribers} subscriber(s).")]
    public static partial void EvaluationHandedBack(ILogger logger, string key, int subscribers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} draining: {HandedBack} queued evaluation(s) handed back, {Running} running; waiting up to {GraceSeconds} s for them.")]
    public static partial void Draining(ILogger logger, string silo, int handedBack, int running, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} drained in {Seconds:F1} s (all running evaluations finished: {Finished}).")]
    public static partial void Drained(ILogger logger, string silo, double seconds, bool finished);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo}: the slot scheduler could not be told about the drain; its grants expire with the membership change.")]
    public static partial void SchedulerNotTold(ILogger logger, Exception exception, string silo);
}
