using Microsoft.Extensions.Logging;

namespace PrunerCluster.Grains;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} submitted as '{Name}' by {Client}.")]
    public static partial void Submitted(ILogger logger, string experimentId, string name, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} rejected: {Errors}.")]
    public static partial void Rejected(ILogger logger, string experimentId, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} is now {State}.")]
    public static partial void StateChanged(ILogger logger, string experimentId, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Experiment {ExperimentId} failed to prepare.")]
    public static partial void PrepareFailed(ILogger logger, Exception exception, string experimentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: dispatching candidate {CandidateId} to {Individual} failed.")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, string experimentId, long candidateId, string individual);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId}: re-issuing candidate {CandidateId} ({Reason}).")]
    public static partial void Reissuing(ILogger logger, string experimentId, long candidateId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: persisting state failed; dispatch stops until storage is back.")]
    public static partial void PersistFailed(ILogger logger, Exception exception, string experimentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId}: storage is back; dispatch resumes.")]
    public static partial void StorageRecovered(ILogger logger, string experimentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: slot scheduler unavailable.")]
    public static partial void SchedulerFailed(ILogger logger, Exception exception, string experimentId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Individual {Key}: evaluation started on slot queue.")]
    public static partial void EvaluationStarted(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Individual {Key}: evaluation finished (succeeded: {Succeeded}).")]
    public static partial void EvaluationFinished(ILogger logger, string key, bool succeeded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Individual {Key}: evaluation threw; recorded as failed.")]
    public static partial void EvaluationThrew(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Individual {Key}: could not notify subscriber {Subscriber}; its lease poll will pick the result up.")]
    public static partial void NotifyFailed(ILogger logger, Exception exception, string key, string subscriber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Individual {Key}: persisting the outcome failed.")]
    public static partial void IndividualPersistFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry: status of {ExperimentId} unavailable.")]
    public static partial void StatusUnavailable(ILogger logger, Exception exception, string experimentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Individual {Key}: no subscriber is left; cancelling the evaluation in flight.")]
    public static partial void EvaluationCancelled(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Individual {Key}: attempt failed transiently ({Reason}); not stored, the coordinator retries elsewhere.")]
    public static partial void EvaluationTransientFailure(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: candidate {CandidateId} failed transiently ({Reason}); {Decision}.")]
    public static partial void TransientFailure(ILogger logger, string experimentId, long candidateId, string reason, string decision);
}
