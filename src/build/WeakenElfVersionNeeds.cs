using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Compiled by MSBuild's RoslynCodeTaskFactory (see Directory.Build.targets), not part of any project.
// Sets VER_FLG_WEAK on named entries of an ELF64 little-endian .gnu.version_r section, only when the
// host library does not define that version. Idempotent.
public class WeakenElfVersionNeeds : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionNames { get; set; } = string.Empty;

    [Required]
    public string HostLibrary { get; set; } = string.Empty;

    public override bool Execute()
    {
        var names = VersionNames.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries);
        var missing = new System.Collections.Generic.List<string>();
        byte[] host = File.Exists(HostLibrary) ? File.ReadAllBytes(HostLibrary) : null;
        foreach (var name in names)
        {
            var n = name.Trim();
            if (host is null || IndexOf(host, Encoding.ASCII.GetBytes(n + "\0")) < 0)
            {
                missing.Add(n);
            }
        }

        if (missing.Count == 0)
        {
            Log.LogMessage(MessageImportance.Low, "Host {0} provides {1}; no ELF patch needed.", HostLibrary, VersionNames);
            return true;
        }

        foreach (var item in Libraries)
        {
            var path = item.ItemSpec;
            try
            {
                var changed = Patch(path, missing);
                Log.LogMessage(MessageImportance.Normal, "{0}: {1} version need(s) marked weak ({2}).", path, changed, string.Join(",", missing));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError("Cannot patch ELF version needs of '{0}': {1}", path, ex.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static int Patch(string path, System.Collections.Generic.List<string> versions)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new InvalidDataException("only ELF64 little-endian is supported");
        }

                var shoff = checked((int)U64(bytes, 0x28));
        int shentsize = U16(bytes, 0x3A);
        int shnum = U16(bytes, 0x3C);

        var changed = 0;
        var dirty = false;
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (i * shentsize);
            if (U32(bytes, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = checked((int)U64(bytes, sh + 0x18));
            var link = (int)U32(bytes, sh + 0x28);
            var strSh = shoff + (link * shentsize);
            var strOffset = checked((int)U64(bytes, strSh + 0x18));

            var need = offset;
            while (true)
            {
                int count = U16(bytes, need + 2);
                var aux = need + (int)U32(bytes, need + 8);
                for (var a = 0; a < count; a++)
                {
                    var flagsAt = aux + 4;
                    var nameAt = strOffset + (int)U32(bytes, aux + 8);
                    var end = Array.IndexOf(bytes, (byte)0, nameAt);
                    var name = Encoding.ASCII.GetString(bytes, nameAt, end - nameAt);
                    if (versions.Contains(name))
                    {
                        var flags = U16(bytes, flagsAt);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            var patched = (ushort)(flags | VerFlgWeak);
                            bytes[flagsAt] = (byte)(patched & 0xff);
                            bytes[flagsAt + 1] = (byte)(patched >> 8);
                            dirty = true;
                        }

                        changed++;
                    }

                    var next = U32(bytes, aux + 12);
                    if (next == 0)
                    {
                        break;
                    }

                    aux += (int)next;
                }

                var nextNeed = U32(bytes, need + 12);
                if (nextNeed == 0)
                {
                    break;
                }

                need += (int)nextNeed;
            }
        }

        if (dirty)
        {
            var temp = path + ".weak.tmp";
            File.WriteAllBytes(temp, bytes);
            File.Copy(temp, path, overwrite: true);
            File.Delete(temp);
        }

        return changed;
    }

    private static ulong U64(byte[] b, int at) => (ulong)U32(b, at) | ((ulong)U32(b, at + 4) << 32);

    private static uint U32(byte[] b, int at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

    private static ushort U16(byte[] b, int at) => (ushort)(b[at] | (b[at + 1] << 8));

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
