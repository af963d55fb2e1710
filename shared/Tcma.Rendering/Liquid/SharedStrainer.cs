using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// DotLiquid builds a filter table by reflection over every filter class for every render (Strainer.Create): over
/// 100 KB and most of the time of a small render. The table never changes after start-up and Strainer only reads
/// it, so each render's Strainer gets the one table built once. Pinned to DotLiquid 2.3.260's private field names;
/// every filter test fails loudly if they change.
/// </summary>
internal static class SharedStrainer
{
    private static readonly Dictionary<string, IList<Tuple<object, MethodInfo>>> Table = Build();

    private static Dictionary<string, IList<Tuple<object, MethodInfo>>> Build()
    {
        RuntimeHelpers.RunClassConstructor(typeof(LiquidCompiler).TypeHandle); // our filters are registered there
        return Methods(Strainer.Create(new Context(CultureInfo.InvariantCulture)));
    }

    public static void Attach(Context context)
    {
        var strainer = new Strainer(context);
        Methods(strainer) = Table;
        StrainerOf(context) = strainer;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_methods")]
    private static extern ref Dictionary<string, IList<Tuple<object, MethodInfo>>> Methods(Strainer strainer);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_strainer")]
    private static extern ref Strainer StrainerOf(Context context);
}
