using System.Collections;
using System.Reflection;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// Whether an app setting names a value of an options class the way the configuration binder reads it: each "__"
/// segment a public settable property (any case), a list index after a list property, or any key after a dictionary
/// property (the binder takes the segment as the key), ending on a scalar.
/// </summary>
internal static class OptionsBinding
{
    public static bool Binds<TOptions>(string section, string appSetting)
    {
        var segments = appSetting.Split("__");
        if (segments.Length < 2 || !segments[0].Equals(section, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = typeof(TOptions);
        for (var i = 1; i < segments.Length; i++)
        {
            if (ListItem(type) is { } item)
            {
                if (!int.TryParse(segments[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    return false;
                }

                type = item;
                continue;
            }

            if (DictionaryValue(type) is { } value)
            {
                type = value;
                continue;
            }

            var property = type.GetProperty(segments[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || IsScalar(type))
            {
                return false;
            }

            type = property.PropertyType;
        }

        return IsScalar(type);
    }

    private static Type? ListItem(Type type) =>
        type != typeof(string) && type.IsGenericType && typeof(IList).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static Type? DictionaryValue(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1] : null;

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying == typeof(Uri);
    }
}
