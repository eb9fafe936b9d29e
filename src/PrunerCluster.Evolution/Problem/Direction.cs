namespace PrunerCluster.Evolution;

public enum Direction
{
    Minimize,
    Maximize,
}
