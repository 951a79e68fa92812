//! Shared by both signature targets.

/// Payloads that differ from `payload`: one bit flipped at each end, one byte added, one removed.
pub fn tamperings(payload: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![[payload, b" "].concat()];
    if let Some(last) = payload.len().checked_sub(1) {
        let mut p = payload.to_vec();
        p[0] ^= 1;
        out.push(p);
        let mut p = payload.to_vec();
        p[last] ^= 0x80;
        out.push(p);
        out.push(payload[..last].to_vec());
    }
    out
}
