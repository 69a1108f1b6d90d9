//! `RANDOM` and random states: `*RANDOM-STATE*`, `MAKE-RANDOM-STATE`, `RANDOM-STATE-P`.
//! A state is a xorshift64* generator's word, an object of its own, so that a copy
//! (`(make-random-state nil)`) replays the same numbers as its original.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::number::{self, Number};
use super::super::object::Object;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "RANDOM", (1, Some(2)), random)?;
    table.define(image, cl, "MAKE-RANDOM-STATE", (0, Some(1)), |vm, t, a| {
        let word = match a.first().copied().unwrap_or(Value::Nil) {
            Value::Nil => {
                let current = vm.symbol_value(t, vm.image.sym.random_state)?;
                state_word(vm, current)?
            }
            Value::Symbol(s) if s == vm.image.sym.t => fresh_seed(),
            other => state_word(vm, other)?,
        };
        value(vm.image.heap.alloc(Object::RandomState(word))?)
    })?;
    table.define(image, cl, "RANDOM-STATE-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::RandomState(_)));
        value(vm.image.boolean(is))
    })?;
    Ok(())
}

/// A state word seeded from the clock (never zero, which xorshift cannot leave).
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
        | 1
}

fn state_word(vm: &Vm, state: Value) -> LispResult<u64> {
    match vm.image.object(state) {
        Some(Object::RandomState(word)) => Ok(*word),
        _ => Err(LispError::type_error(
            state,
            "(OR RANDOM-STATE (MEMBER NIL T))",
        )),
    }
}

/// Advances the generator in `state` (a random-state object) and returns its next number.
fn next_random(vm: &mut Vm, state: Value) -> LispResult<u64> {
    let Some(Object::RandomState(word)) = vm.image.object_mut(state) else {
        return Err(LispError::type_error(state, "RANDOM-STATE"));
    };
    let mut x = *word;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *word = x;
    Ok(x.wrapping_mul(0x2545_F491_4F6C_DD1D))
}

fn random(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let limit = Number::expect(&vm.image, a[0])?;
    let state = match a.get(1) {
        Some(state) => *state,
        None => vm.symbol_value(thread, vm.image.sym.random_state)?,
    };
    match limit {
        Number::Integer(n) if n.is_positive() => {
            let mut acc = BigInt::zero();
            for _ in 0..=n.bits() / 64 + 1 {
                acc = (acc << 64) + BigInt::from(next_random(vm, state)?);
            }
            value(number::integer_value(&mut vm.image, acc.mod_floor(&n))?)
        }
        Number::Single(f) if f > 0.0 => {
            let unit = unit_interval(next_random(vm, state)?) as f32;
            let largest_below = f32::from_bits(f.to_bits() - 1);
            value(Value::Single((unit * f).min(largest_below)))
        }
        Number::Double(f) if f > 0.0 => {
            value(Value::Double(unit_interval(next_random(vm, state)?) * f))
        }
        _ => Err(LispError::type_error(
            a[0],
            "(OR (SINGLE-FLOAT (0.0)) (DOUBLE-FLOAT (0.0d0)) (INTEGER 1))",
        )),
    }
}

/// A double in [0, 1) from the top 53 bits of `bits`.
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}
