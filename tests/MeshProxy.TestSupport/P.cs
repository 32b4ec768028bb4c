namespace MeshProxy.TestSupport; public static class P {}
