namespace PrunerCluster.Evolution;

/// <summary>
/// Unbounded archive of mutually non-dominated items (minimization). An item equal in all objectives to a member is kept
/// alongside it. The archive's content as a set does not depend on insertion order.
/// </summary>
public sealed class ParetoArchive<T>
{
    private readonly List<T> _items = [];
    private readonly List<double[]> _objectives = [];

    public int Count => _items.Count;

    public IReadOnlyList<T> Items => _items;

    public IReadOnlyList<double[]> Objectives => _objectives;

    /// <summary>Removes the members matching <paramref name="match"/> (e.g. a result superseded by a better measurement of the same item); returns how many.</summary>
    public int RemoveWhere(Func<T, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var removed = 0;
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (match(_items[i]))
            {
                _items.RemoveAt(i);
                _objectives.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Adds the item unless a member dominates it; removes the members it dominates. True when added.</summary>
    public bool Add(T item, double[] objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        if (_objectives.Count > 0 && _objectives[0].Length != objectives.Length)
        {
            throw new ArgumentException($"Expected {_objectives[0].Length} objectives, got {objectives.Length}.", nameof(objectives));
        }

        var write = 0;
        for (var i = 0; i < _objectives.Count; i++)
        {
            var c = Dominance.Compare(_objectives[i], objectives);
            if (c < 0)
            {
                if (write != i)
                {
                    throw new InvalidOperationException("Archive invariant broken: the new point both dominates and is dominated.");
                }

                return false;
            }

            if (c > 0)
            {
                continue;
            }

            _items[write] = _items[i];
            _objectives[write] = _objectives[i];
            write++;
        }

        _items.RemoveRange(write, _items.Count - write);
        _objectives.RemoveRange(write, _objectives.Count - write);
        _items.Add(item);
        _objectives.Add(objectives);
        return true;
    }
}
