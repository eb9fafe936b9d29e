namespace PrunerCluster.Evolution;

public enum ConstraintOp
{
    LessOrEqual,
    GreaterOrEqual,
}
