namespace MeshProxy.Tests; public class PTests { [Xunit.Fact] public void X() { } }
