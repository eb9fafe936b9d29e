using System.Diagnostics;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Lifecycle;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Simulation;

/// <summary>
/// Discrete-event simulation of the cluster's scheduling without grains: the real <see cref="SlotScheduling"/> (what the
/// slot scheduler grain decides) grants slots to experiments driven by the coordinator's real dispatch parts
/// (<see cref="SimulatedExperiment"/>); evaluations take heavy-tailed times; silos fail, their work is re-issued once
/// membership declares them dead, and they come back. A coordinator passes when its evaluation completes, when nudged
/// and on its tick, as the grain does; each evaluation is placed by the placement director's real choice
/// (<see cref="SlotPlacementChoice{TSilo}"/>) among the silos membership still lists, which honours the grant.
/// Every random choice comes from <see cref="SimulationConfig.Seed"/>; only the measured wall times vary between runs.
/// </summary>
public sealed class ClusterSimulation
{
    private const string DeviceClass = "sim";
    private static readonly Genome SimulatedGenome = Genome.Full(new GenomeLayout([new SegmentSpec("sim", 1)]));

    private readonly SimulationConfig _config;
    private readonly SimulatedClock _clock = new();
    private readonly SlotScheduling _scheduling;
    private readonly SimulatedExperiment[] _experiments;
    private readonly Dictionary<string, int> _experimentIndex = new(StringComparer.Ordinal);
    private readonly string[] _siloNames;
    private readonly Dictionary<string, int> _siloIndex = new(StringComparer.Ordinal);
    private readonly bool[] _alive;
    private readonly Dictionary<string, int> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _classes = new(StringComparer.Ordinal);
    private readonly PriorityQueue<SimulationEvent, (double At, long Order)> _events = new();
    private readonly EvaluationTimes _times;
    private readonly Random _failures;
    private readonly RetryPolicy _retry = new(int.MaxValue);
    private readonly List<long> _decisionTicks = [];
    private readonly SlotPlacementChoice<string> _placement = new(silo => silo);
    private SlotCapacity _capacity;
    private (string Silo, int Slots)[] _placementCandidates = [];
    private long _placementTicks;
    private long _order;
    private long _dispatches;
    private long _planTicks;
    private long _granted;
    private long _reissued;
    private long _siloFailures;
    private double _capacitySeconds;
    private double _wastedSeconds;
    private double _capacitySince;

    public ClusterSimulation(SimulationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Silos, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.SlotsPerSilo, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Experiments, 1);
        _config = config;
        var tick = TimeSpan.FromSeconds(config.CoordinatorTickSeconds);
        _scheduling = new SlotScheduling(tick * 5, tick * 120);
        _times = new EvaluationTimes(config, new Random(config.Seed));
        _failures = new Random(unchecked((config.Seed * 7919) + 17));
        _experiments = [.. Enumerable.Range(0, config.Experiments).Select(i => new SimulatedExperiment(i, config.Weights[i % config.Weights.Count], config.Cap, _clock))];
        foreach (var experiment in _experiments)
        {
            _experimentIndex[experiment.Id] = experiment.Index;
        }

        _siloNames = [.. Enumerable.Range(0, config.Silos).Select(i => $"silo-{i:D5}")];
        _alive = new bool[config.Silos];
        for (var i = 0; i < config.Silos; i++)
        {
            _siloIndex[_siloNames[i]] = i;
            _alive[i] = true;
            _leases[_siloNames[i]] = config.SlotsPerSilo;
            _classes[_siloNames[i]] = DeviceClass;
        }

        _capacity = Describe();
    }

    private double Warmup => _config.Seconds * _config.WarmupFraction;

    public SimulationReport Run()
    {
        var wall = Stopwatch.StartNew();
        Start();
        while (_events.TryPeek(out _, out var key) && key.At <= _config.Seconds)
        {
            var next = _events.Dequeue();
            _clock.Seconds = key.At;
            Handle(next);
        }

        _clock.Seconds = _config.Seconds;
        CountCapacity();
        foreach (var experiment in _experiments)
        {
            experiment.Hold(0, _config.Seconds, Warmup);
        }

        return Report(wall.Elapsed.TotalSeconds);
    }

    private void Start()
    {
        foreach (var experiment in _experiments)
        {
            Schedule(_config.CoordinatorTickSeconds * experiment.Index / _experiments.Length, SimulationEventKind.Tick, experiment.Index);
        }

        if (_config.SiloMtbfSeconds > 0)
        {
            for (var silo = 0; silo < _siloNames.Length; silo++)
            {
                Schedule(EvaluationTimes.Exponential(_failures, _config.SiloMtbfSeconds), SimulationEventKind.SiloFailure, silo: silo);
            }
        }
    }

    private void Handle(SimulationEvent next)
    {
        switch (next.Kind)
        {
            case SimulationEventKind.Completion:
                Complete(_experiments[next.Experiment], next.Candidate, next.Dispatch);
                break;
            case SimulationEventKind.SiloFailure:
                Fail(next.Silo);
                break;
            case SimulationEventKind.FailureDetected:
                Detect(next.Silo);
                break;
            case SimulationEventKind.SiloReturn:
                Return(next.Silo);
                break;
            case SimulationEventKind.Pass:
                _experiments[next.Experiment].PassPending = false;
                Pass(_experiments[next.Experiment]);
                break;
            case SimulationEventKind.Tick:
                Pass(_experiments[next.Experiment]);
                Schedule(_config.CoordinatorTickSeconds, SimulationEventKind.Tick, next.Experiment);
                break;
        }
    }

    /// <summary>One dispatch pass of a coordinator: ask the scheduler, then hand the grants to waiting and new work.</summary>
    private void Pass(SimulatedExperiment experiment)
    {
        var waiting = experiment.InFlight.Waiting();
        var request = experiment.Planner.Request(experiment.Id, experiment.Spec, null, waiting, running: true, askNew: true);
        var started = Stopwatch.GetTimestamp();
        var decision = _scheduling.Acquire(request, _capacity, _clock.Now);
        var decided = Stopwatch.GetTimestamp();
        _decisionTicks.Add(decided - started);
        _granted += decision.Grant.Silos.Count;
        var plan = experiment.Planner.Plan(waiting, decision.Grant.Silos, askNew: true, n => NewCandidates(experiment, n), (candidate, silo) => Track(candidate, silo));
        _planTicks += Stopwatch.GetTimestamp() - decided;
        foreach (var entry in plan.Dispatch)
        {
            Dispatch(experiment, entry);
        }

        foreach (var nudged in decision.Nudge)
        {
            var other = _experiments[_experimentIndex[nudged]];
            if (!other.PassPending)
            {
                other.PassPending = true;
                Schedule(_config.NudgeLatencySeconds, SimulationEventKind.Pass, other.Index);
            }
        }
    }

    private List<Candidate> NewCandidates(SimulatedExperiment experiment, int count)
    {
        var candidates = new List<Candidate>(count);
        for (var i = 0; i < count; i++)
        {
            candidates.Add(new Candidate(experiment.NextCandidate++, SimulatedGenome, 0));
        }

        return candidates;
    }

    private InFlightEvaluation Track(Candidate candidate, string silo) => new()
    {
        CandidateId = candidate.Id,
        Key = candidate.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Silo = silo,
        LastContact = _clock.Now,
    };

    /// <summary>Places the evaluation as the placement director would (on the granted silo, which is among the members) and starts it.</summary>
    private void Dispatch(SimulatedExperiment experiment, InFlightEvaluation entry)
    {
        var placing = Stopwatch.GetTimestamp();
        entry.Silo = _placement.Choose(_placementCandidates, entry.Silo);
        _placementTicks += Stopwatch.GetTimestamp() - placing;
        experiment.Hold(1, _clock.Seconds, Warmup);
        var dispatch = ++_dispatches;
        experiment.Running[entry.CandidateId] = (dispatch, _clock.Seconds);
        if (_alive[_siloIndex[entry.Silo!]])
        {
            Schedule(_times.Next(), SimulationEventKind.Completion, experiment.Index, candidate: entry.CandidateId, dispatch: dispatch);
        }
    }

    private void Complete(SimulatedExperiment experiment, long candidate, long dispatch)
    {
        if (!experiment.Running.TryGetValue(candidate, out var running) || running.Dispatch != dispatch
            || !experiment.InFlight.TryGet(candidate, out var entry) || !_alive[_siloIndex[entry.Silo!]])
        {
            return;
        }

        experiment.InFlight.Remove(candidate, out _);
        experiment.Running.Remove(candidate);
        experiment.Hold(-1, _clock.Seconds, Warmup);
        experiment.Refusals.SiloFreed(entry.Silo);
        if (!experiment.Done.Add(candidate))
        {
            experiment.Duplicates++;
        }

        Pass(experiment);
    }

    private void Fail(int silo)
    {
        if (!_alive[silo])
        {
            return;
        }

        _alive[silo] = false;
        _siloFailures++;
        Schedule(_config.FailureDetectionSeconds, SimulationEventKind.FailureDetected, silo: silo);
    }

    /// <summary>Membership declared the silo dead: it leaves the scheduler's capacity and every coordinator re-issues its work there.</summary>
    private void Detect(int silo)
    {
        CountCapacity();
        _leases.Remove(_siloNames[silo]);
        _capacity = Describe();
        foreach (var experiment in _experiments)
        {
            var lost = experiment.InFlight.Entries.Where(e => e.Silo == _siloNames[silo]).ToList();
            foreach (var entry in lost)
            {
                _wastedSeconds += Math.Max(0, _clock.Seconds - Math.Max(experiment.Running[entry.CandidateId].Started, Warmup));
                experiment.Running.Remove(entry.CandidateId);
                experiment.Hold(-1, _clock.Seconds, Warmup);
                _retry.OnTransientFailure(entry, entry.Silo, "silo died");
                InFlightTable.Release(entry, _clock.Now);
                _reissued++;
            }

            if (lost.Count > 0)
            {
                Pass(experiment);
            }
        }

        if (_config.SiloDowntimeSeconds > 0)
        {
            Schedule(EvaluationTimes.Exponential(_failures, _config.SiloDowntimeSeconds), SimulationEventKind.SiloReturn, silo: silo);
        }
    }

    private void Return(int silo)
    {
        CountCapacity();
        _alive[silo] = true;
        _leases[_siloNames[silo]] = _config.SlotsPerSilo;
        _capacity = Describe();
        Schedule(EvaluationTimes.Exponential(_failures, _config.SiloMtbfSeconds), SimulationEventKind.SiloFailure, silo: silo);
    }

    private void CountCapacity()
    {
        var from = Math.Max(_capacitySince, Warmup);
        if (_clock.Seconds > from)
        {
            _capacitySeconds += _capacity.TotalLeases * (_clock.Seconds - from);
        }

        _capacitySince = _clock.Seconds;
    }

    private SlotCapacity Describe()
    {
        var leases = new Dictionary<string, int>(_leases, StringComparer.Ordinal);
        _placementCandidates = [.. leases.Select(l => (l.Key, l.Value))];
        return new SlotCapacity(leases, _classes, leases.Values.Sum());
    }

    private static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[(int)Math.Clamp(Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];

    private void Schedule(double after, SimulationEventKind kind, int experiment = -1, int silo = -1, long candidate = 0, long dispatch = 0) =>
        _events.Enqueue(new SimulationEvent(kind, experiment, silo, candidate, dispatch), (_clock.Seconds + after, _order++));

    private SimulationReport Report(double wallSeconds)
    {
        var entitled = SimulationShares.Entitled(_experiments.Select(e => e.Spec.ShareWeight).ToArray(), _config.Cap, _config.TotalSlots);
        var total = _experiments.Sum(e => e.SlotSeconds);
        var shares = _experiments
            .Select(e => new ExperimentShare(e.Id, e.Spec.ShareWeight, e.SlotSeconds, total > 0 ? e.SlotSeconds / total : 0, entitled[e.Index], e.Done.Count))
            .ToList();
        var ticks = _decisionTicks.Order().ToArray();
        var micros = 1e6 / Stopwatch.Frequency;
        return new SimulationReport
        {
            Config = _config,
            Utilization = _capacitySeconds > 0 ? total / _capacitySeconds : 0,
            UsefulUtilization = _capacitySeconds > 0 ? (total - _wastedSeconds) / _capacitySeconds : 0,
            Shares = shares,
            Completed = _experiments.Sum(e => (long)e.Done.Count),
            Reissued = _reissued,
            Lost = _experiments.Sum(e => e.NextCandidate - e.Done.Count - e.InFlight.Count),
            Duplicates = _experiments.Sum(e => e.Duplicates),
            SiloFailures = _siloFailures,
            Decisions = ticks.Length,
            Granted = _granted,
            DecisionMicros = ticks.Length == 0 ? 0 : ticks.Average() * micros,
            DecisionP50Micros = Percentile(ticks, 0.5) * micros,
            DecisionP99Micros = Percentile(ticks, 0.99) * micros,
            PlanMicros = ticks.Length == 0 ? 0 : _planTicks * micros / ticks.Length,
            PlacementMicros = _dispatches == 0 ? 0 : _placementTicks * micros / _dispatches,
            WallSeconds = wallSeconds,
        };
    }
}
