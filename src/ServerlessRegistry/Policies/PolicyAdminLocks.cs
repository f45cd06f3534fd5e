using ServerlessRegistry.Admin;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Policies;

/// <summary>The admin API's lock handlers: a lock per target (repo, repo:tag or repo@digest), one row each.</summary>
internal static partial class PolicyAdmin
{
    /// <summary>GET /locks: every lock, in target order.</summary>
    public static async Task<AdminResult> ListLocks(AdminRequest request)
    {
        var set = await LoadAsync(request);
        return AdminResult.Ok(request.Paging().Of(set.Locks.Select(View), l => l.Target));
    }

    /// <summary>PUT /locks?target=: creates or replaces the lock on the target (its time is set again). Idempotent in effect.</summary>
    public static async Task<AdminResult> PutLock(AdminRequest request)
    {
        var target = Target(request, "target");
        var spec = await request.BodyAsync<LockSpec>();
        var itemLock = ToLock(target, spec, request) ?? Fail.With<ItemLock>(ErrorKind.Invalid, LockProblem(target), ("target", target.ToString()));
        await SetLockAsync(request, itemLock);
        return AdminResult.Ok(View(itemLock));
    }

    /// <summary>
    /// DELETE /locks?target=: removes the lock. A target that does not parse still removes a stored lock with that text
    /// (written by another version, or mended by hand); otherwise it is INVALID. No lock there: 404.
    /// </summary>
    public static async Task<AdminResult> DeleteLock(AdminRequest request)
    {
        var text = request.RequiredQuery("target");
        string? malformed = null;
        try
        {
            text = LockTarget.Parse(text).ToString();
        }
        catch (FormatException e)
        {
            malformed = e.Message;
        }

        if (!await request.Service<PolicyStore>().RemoveLockAsync(text, request.Aborted))
        {
            return malformed is not null
                ? Fail.With<AdminResult>(ErrorKind.Invalid, "target: " + malformed, ("target", text))
                : Fail.With<AdminResult>(ErrorKind.NotFound, $"{text} is not locked; 'policy list' shows the locks.", ("target", text));
        }

        request.Service<PolicyCache>().Invalidate();
        return AdminResult.NoContent;
    }

    private static LockView View(ItemLock itemLock) => new(itemLock.Target.ToString(), itemLock.NoWrite, itemLock.NoDelete, itemLock.CreatedAt);

    /// <summary>The lock <paramref name="spec"/> describes, dated now; null when it blocks nothing.</summary>
    private static ItemLock? ToLock(LockTarget target, LockSpec spec, AdminRequest request) =>
        spec.NoWrite || spec.NoDelete ? new ItemLock(target, spec.NoWrite, spec.NoDelete, request.Service<TimeProvider>().GetUtcNow()) : null;

    private static string LockProblem(LockTarget target) => $"noWrite, noDelete: a lock on '{target}' must block writes, deletes or both";

    /// <summary>The query parameter <paramref name="field"/> as a lock target (repo, repo:tag, repo@digest); INVALID naming it otherwise.</summary>
    private static LockTarget Target(AdminRequest request, string field)
    {
        var text = request.RequiredQuery(field);
        try
        {
            return LockTarget.Parse(text);
        }
        catch (FormatException e)
        {
            return Fail.With<LockTarget>(ErrorKind.Invalid, $"{field}: {e.Message}", (field, text));
        }
    }

    private static async Task SetLockAsync(AdminRequest request, ItemLock itemLock)
    {
        try
        {
            await request.Service<PolicyStore>().SetLockAsync(itemLock, request.Aborted);
        }
        catch (ArgumentException e)
        {
            // Checked already but for the target's length, which only the store knows.
            Fail.With(ErrorKind.Invalid, "target: " + e.Message, ("target", itemLock.Target.ToString()));
        }

        request.Service<PolicyCache>().Invalidate();
    }
}
