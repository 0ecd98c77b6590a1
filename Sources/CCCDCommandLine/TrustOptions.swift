import EMRTDCore
import PassiveAuthentication

enum TrustOptions {
    /// The trust store of `--trust` paths, and how each is named in the output.
    static func load(_ paths: [String]) throws(EMRTDError) -> (TrustStore, [String]) {
        var store = TrustStore()
        for path in paths {
            try store.add(contentsOf: path)
        }
        var names = paths
        if !store.skipped.isEmpty {
            names.append("skipped: " + store.skipped.joined(separator: "; "))
        }
        return (store, names)
    }
}
