//! [`TraceId`]: the `X-Trace-Id` sent with each attempt.

/// A random trace id: 16 lower-case hex digits, kept on the stack (it is made per attempt).
#[derive(Clone, Copy)]
pub(crate) struct TraceId([u8; 16]);

impl TraceId {
    pub(crate) fn new() -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        for (pair, byte) in digits
            .chunks_exact_mut(2)
            .zip(fastrand::u64(..).to_le_bytes())
        {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        TraceId(digits)
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_16_lower_case_hex_digits_and_distinct() {
        let ids: Vec<TraceId> = (0..600).map(|_| TraceId::new()).collect();
        for id in &ids {
            assert_eq!(id.as_str().len(), 16);
            assert!(
                id.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
        let distinct: std::collections::HashSet<&str> = ids.iter().map(TraceId::as_str).collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
