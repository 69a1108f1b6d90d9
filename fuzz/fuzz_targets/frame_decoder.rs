//! Fuzzes the Swank frame decoder (`swankd::wire::frame::FrameDecoder`).
//!
//! Two properties per input:
//! 1. Arbitrary bytes, fed in pieces of input-chosen sizes to a decoder with an input-chosen
//!    limit, give payloads or typed `FrameError`s, never a panic; every payload respects the
//!    limit (and is non-empty when empty frames are rejected), and no byte is lost or
//!    invented: consumed frames plus the buffered rest add up to what was pushed.
//! 2. Round trip: the input cut into payloads, each framed by `encode_frame`, decodes back
//!    to exactly those payloads whatever pieces the stream arrives in.

#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use swankd::wire::frame::{EmptyFrames, FrameDecoder, HEADER_BYTES, encode_frame};

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    // Running out of input mid-way is an ordinary end, not a finding.
    let _ = arbitrary_bytes(&mut input);
    let mut input = Unstructured::new(data);
    let _ = round_trip(&mut input);
});

fn empty_frames(input: &mut Unstructured) -> Result<EmptyFrames> {
    Ok(if input.arbitrary()? {
        EmptyFrames::Accept
    } else {
        EmptyFrames::Reject
    })
}

fn arbitrary_bytes(input: &mut Unstructured) -> Result<()> {
    let limit = input.int_in_range(0..=4096)?;
    let empty = empty_frames(input)?;
    let mut decoder = FrameDecoder::new(limit);
    let mut pushed = 0usize;
    let mut consumed = 0usize;
    while !input.is_empty() {
        let size = input.int_in_range(1..=64)?;
        let piece = input.bytes(size.min(input.len()))?;
        decoder.push(piece);
        pushed += piece.len();
        loop {
            match decoder.decode(empty) {
                Ok(Some(payload)) => {
                    assert!(payload.len() <= limit, "payload over the limit");
                    assert!(
                        !payload.is_empty() || empty == EmptyFrames::Accept,
                        "empty payload while empty frames are rejected"
                    );
                    consumed += HEADER_BYTES + payload.len();
                }
                Ok(None) => break,
                // Every error ends the connection: nothing more is fed.
                Err(_) => return Ok(()),
            }
        }
        assert_eq!(
            consumed + decoder.buffered(),
            pushed,
            "bytes lost or invented"
        );
    }
    Ok(())
}

fn round_trip(input: &mut Unstructured) -> Result<()> {
    let empty = empty_frames(input)?;
    let mut payloads = Vec::new();
    let mut stream = Vec::new();
    for _ in 0..input.int_in_range(0..=8)? {
        let length = input.int_in_range(0..=300)?;
        let payload = input.bytes(length.min(input.len()))?.to_vec();
        if payload.is_empty() && empty == EmptyFrames::Reject {
            continue;
        }
        match encode_frame(&payload) {
            Ok(frame) => stream.extend_from_slice(&frame),
            Err(error) => panic!("a {} byte payload was not framed: {error}", payload.len()),
        }
        payloads.push(payload);
    }
    let mut decoder = FrameDecoder::new(300);
    let mut decoded = Vec::new();
    let mut rest = stream.as_slice();
    while !rest.is_empty() {
        let size = input.int_in_range(1..=64)?.min(rest.len());
        let (piece, tail) = rest.split_at(size);
        rest = tail;
        decoder.push(piece);
        loop {
            match decoder.decode(empty) {
                Ok(Some(payload)) => decoded.push(payload),
                Ok(None) => break,
                Err(error) => panic!("a well-formed stream failed to decode: {error}"),
            }
        }
    }
    assert_eq!(decoded, payloads, "round trip changed the payloads");
    assert_eq!(
        decoder.buffered(),
        0,
        "bytes left over after the last frame"
    );
    Ok(())
}
