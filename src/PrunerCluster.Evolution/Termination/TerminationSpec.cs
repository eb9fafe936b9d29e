namespace PrunerCluster.Evolution;

/// <summary>Serializable termination settings; <see cref="Build"/> turns them into a composed <see cref="ITermination"/>.</summary>
public sealed record TerminationSpec
{
    public int? MaxGenerations { get; init; }

    public int? MaxEvaluations { get; init; }

    public TimeSpan? WallClock { get; init; }

    public HypervolumeStagnationSpec? HypervolumeStagnation { get; init; }

    public TerminationCombine Combine { get; init; } = TerminationCombine.Any;

    public void Validate()
    {
        if (MaxGenerations is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGenerations), MaxGenerations, "Termination.MaxGenerations must be >= 1.");
        }

        if (MaxEvaluations is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEvaluations), MaxEvaluations, "Termination.MaxEvaluations must be >= 1.");
        }

        if (WallClock is { } w && w <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WallClock), WallClock, "Termination.WallClock must be positive.");
        }

        if (HypervolumeStagnation is { } s)
        {
            if (s.Generations < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(HypervolumeStagnation), s.Generations, "Termination.HypervolumeStagnation.Generations must be >= 1.");
            }

            if (double.IsNaN(s.Tolerance) || s.Tolerance < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(HypervolumeStagnation), s.Tolerance, "Termination.HypervolumeStagnation.Tolerance must be >= 0.");
            }

            if (s.ReferencePoint is { } r && r.Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException("Termination.HypervolumeStagnation.ReferencePoint must be finite.", nameof(HypervolumeStagnation));
            }
        }

        if (!Enum.IsDefined(Combine))
        {
            throw new ArgumentOutOfRangeException(nameof(Combine), Combine, "Termination.Combine is not a known value.");
        }
    }

    public ITermination Build()
    {
        Validate();
        var criteria = new List<ITermination>();
        if (MaxGenerations is { } g)
        {
            criteria.Add(new MaxGenerationsTermination(g));
        }

        if (MaxEvaluations is { } e)
        {
            criteria.Add(new MaxEvaluationsTermination(e));
        }

        if (WallClock is { } w)
        {
            criteria.Add(new WallClockTermination(w));
        }

        if (HypervolumeStagnation is { } s)
        {
            criteria.Add(new HypervolumeStagnationTermination(s.Generations, s.Tolerance));
        }

        return criteria.Count switch
        {
            0 => new NeverTermination(),
            1 => criteria[0],
            _ => Combine == TerminationCombine.Any ? new AnyTermination(criteria) : new AllTermination(criteria),
        };
    }
}
