using Microsoft.Extensions.Options;

namespace PrunerCluster.Grains.Hosting;

/// <summary>Per-silo settings of the PrunerCluster grains.</summary>
public sealed class PrunerClusterSiloOptions
{
    /// <summary>"cpu" or "cuda": what the slot threads run on.</summary>
    public string DeviceKind { get; set; } = "cpu";

    /// <summary>GPUs on this silo (cuda), or 1 for the CPU. 0 makes this a coordinator-only silo that never evaluates.</summary>
    public int DeviceCount { get; set; } = 1;

    /// <summary>Concurrent evaluations per device.</summary>
    public int SlotsPerDevice { get; set; } = 1;

    /// <summary>Evaluations that may wait in this silo's queue beyond the running ones.</summary>
    public int QueueCapacity { get; set; } = 16;

    /// <summary>
    /// Evaluations per slot the scheduler may place here beyond the running ones, so the next evaluation is already queued
    /// when a slot frees and the slot never idles through the orchestration round trip. 0 disables. Never raises concurrency:
    /// at most <see cref="Slots"/> evaluations run at once.
    /// </summary>
    public int QueuedPerSlot { get; set; } = 1;

    /// <summary>How often a coordinator re-checks leases, slots and membership.</summary>
    public TimeSpan CoordinatorTick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An in-flight evaluation not heard of for this long is polled again (the poll returns the stored result, joins the
    /// evaluation in flight, or re-runs it on a new activation when its silo died).
    /// </summary>
    public TimeSpan EvaluationLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Durable wake-up of running coordinators (reminders have a 1 minute minimum).</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A coordinator that has not talked to the slot scheduler for this long loses its slots there.</summary>
    public TimeSpan SchedulerForgetAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Device class this silo advertises (lowercase letters, digits, '-'; e.g. "nvidia-h100"). Null derives it: CPU silos
    /// "cpu-&lt;architecture&gt;-&lt;cores&gt;c"; CUDA silos "nvidia-gpu" (set the model explicitly on GPU silos).
    /// </summary>
    public string? DeviceClass { get; set; }

    /// <summary>Deadline of one evaluation attempt when the spec sets none and its settings give none.</summary>
    public TimeSpan DefaultEvaluationDeadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts per candidate when the spec sets none (transient failures, spread over silos).</summary>
    public int DefaultMaxAttempts { get; set; } = 3;

    public string EffectiveDeviceClass => DeviceClass
        ?? (DeviceKind == "cuda" ? "nvidia-gpu" : Contracts.DeviceClassName.ForCpu(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount));

    /// <summary>What one submission may ask of the cluster ("PrunerCluster:Limits").</summary>
    public SubmissionLimits Limits { get; set; } = new();

    /// <summary>Most recent errors kept in an experiment's status.</summary>
    public int MaxRecordedErrors { get; set; } = 20;

    public int Slots => Math.Max(0, DeviceCount) * Math.Max(0, SlotsPerDevice);

    /// <summary>Evaluations the scheduler may place on this silo at once: running plus queued ahead.</summary>
    public int Leases => Slots * (1 + Math.Max(0, QueuedPerSlot));

    public string DeviceName(int slotIndex) =>
        DeviceKind == "cuda" ? FormattableString.Invariant($"cuda:{slotIndex / Math.Max(1, SlotsPerDevice)}") : "cpu";
}

public sealed class PrunerClusterSiloOptionsValidator : IValidateOptions<PrunerClusterSiloOptions>
{
    public ValidateOptionsResult Validate(string? name, PrunerClusterSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        failures.AddRange(options.Limits.Problems());
        if (options.DeviceKind is not ("cpu" or "cuda"))
        {
            failures.Add($"PrunerCluster:DeviceKind must be 'cpu' or 'cuda', got '{options.DeviceKind}'.");
        }

        if (options.DeviceCount < 0)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:DeviceCount must be >= 0, got {options.DeviceCount}."));
        }

        if (options.SlotsPerDevice < 0)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:SlotsPerDevice must be >= 0, got {options.SlotsPerDevice}."));
        }

        if (options.QueueCapacity < 0)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:QueueCapacity must be >= 0, got {options.QueueCapacity}."));
        }

        if (options.QueuedPerSlot < 0)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:QueuedPerSlot must be >= 0, got {options.QueuedPerSlot}."));
        }
        else if (options.Slots * options.QueuedPerSlot > options.QueueCapacity)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:QueueCapacity ({options.QueueCapacity}) must hold Slots x QueuedPerSlot ({options.Slots * options.QueuedPerSlot})."));
        }

        if (options.CoordinatorTick <= TimeSpan.Zero)
        {
            failures.Add("PrunerCluster:CoordinatorTick must be positive.");
        }

        if (options.EvaluationLease < options.CoordinatorTick)
        {
            failures.Add("PrunerCluster:EvaluationLease must be at least CoordinatorTick.");
        }

        if (options.ReminderPeriod < TimeSpan.FromMinutes(1))
        {
            failures.Add("PrunerCluster:ReminderPeriod must be at least 1 minute (Orleans reminder minimum).");
        }

        if (options.SchedulerForgetAfter < options.CoordinatorTick * 3)
        {
            failures.Add("PrunerCluster:SchedulerForgetAfter must be at least 3 x CoordinatorTick.");
        }

        if (options.DeviceClass is { } deviceClass && !Contracts.DeviceClassName.IsValid(deviceClass))
        {
            failures.Add($"PrunerCluster:DeviceClass must be lowercase letters, digits and '-' (e.g. 'nvidia-h100'), got '{deviceClass}'.");
        }

        if (options.DefaultEvaluationDeadline <= TimeSpan.Zero)
        {
            failures.Add("PrunerCluster:DefaultEvaluationDeadline must be positive.");
        }

        if (options.DefaultMaxAttempts < 1)
        {
            failures.Add(FormattableString.Invariant($"PrunerCluster:DefaultMaxAttempts must be at least 1, got {options.DefaultMaxAttempts}."));
        }

        if (options.MaxRecordedErrors < 1)
        {
            failures.Add("PrunerCluster:MaxRecordedErrors must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
