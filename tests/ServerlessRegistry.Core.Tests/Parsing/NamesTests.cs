using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Parsing;

/// <summary>Repository names and tags as the distribution spec's grammar defines them, with the registry's length caps.</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("app")]
    [InlineData("0")]
    [InlineData("team/app")]
    [InlineData("a/b/c/d/e")]
    [InlineData("my.app")]
    [InlineData("my_app")]
    [InlineData("my__app")]
    [InlineData("my-app")]
    [InlineData("my---app")]
    [InlineData("a.b_c__d-e")]
    [InlineData("library/ubuntu-22.04")]
    [InlineData("blobs/manifests")]
    public void AcceptsRepositoryNamesOfTheGrammar(string name) => Assert.True(Names.IsValidRepository(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("App")]
    [InlineData("team/App")]
    [InlineData("/app")]
    [InlineData("app/")]
    [InlineData("team//app")]
    [InlineData(".app")]
    [InlineData("app.")]
    [InlineData("-app")]
    [InlineData("app-")]
    [InlineData("_app")]
    [InlineData("app_")]
    [InlineData("my..app")]
    [InlineData("my___app")]
    [InlineData("my._app")]
    [InlineData("my-.app")]
    [InlineData("team/.app")]
    [InlineData("team/app-")]
    [InlineData("my app")]
    [InlineData("my:app")]
    [InlineData("my@app")]
    [InlineData("my+app")]
    [InlineData("app\n")]
    [InlineData("ápp")]
    public void RejectsRepositoryNamesOutsideTheGrammar(string? name) => Assert.False(Names.IsValidRepository(name));

    [Theory]
    [InlineData(Names.MaxRepositoryLength, true)]
    [InlineData(Names.MaxRepositoryLength + 1, false)]
    public void CapsRepositoryNamesAt255Characters(int length, bool valid)
    {
        // Components of 9 letters joined by '/' (every tenth character), ending in a letter.
        var name = string.Concat(Enumerable.Range(0, length).Select(i => i % 10 == 9 && i != length - 1 ? '/' : 'a'));

        Assert.Equal(length, name.Length);
        Assert.Equal(valid, Names.IsValidRepository(name));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("v1")]
    [InlineData("V1")]
    [InlineData("1.0.0")]
    [InlineData("1.0.0-rc.1")]
    [InlineData("_private")]
    [InlineData("0")]
    [InlineData("_")]
    [InlineData("a..b")]
    [InlineData("a--b")]
    [InlineData("a.")]
    [InlineData("a-")]
    [InlineData("MixedCase_Tag")]
    public void AcceptsTagsOfTheGrammar(string tag) => Assert.True(Names.IsValidTag(tag));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("a@b")]
    [InlineData("sha256:abc")]
    [InlineData("v1\n")]
    [InlineData("tág")]
    public void RejectsTagsOutsideTheGrammar(string? tag) => Assert.False(Names.IsValidTag(tag));

    [Theory]
    [InlineData(Names.MaxTagLength, true)]
    [InlineData(Names.MaxTagLength + 1, false)]
    public void CapsTagsAt128Characters(int length, bool valid) => Assert.Equal(valid, Names.IsValidTag(new string('t', length)));
}
