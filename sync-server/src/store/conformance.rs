//! The conformance suite (written next).
