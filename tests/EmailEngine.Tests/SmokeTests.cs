namespace EmailEngine.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_loads() => Assert.Equal("EmailEngine", typeof(Program).Assembly.GetName().Name);
}
