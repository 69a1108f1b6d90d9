//! Calendar arithmetic (proleptic Gregorian, universal time counted in seconds from
//! 1900-01-01 00:00 UTC) and the operating-system clocks behind the time builtins: the
//! machine's time zone (libc `localtime_r`, which honours `TZ`) and the process's CPU time.
//! Nothing here knows about Lisp values.

/// The universal time of 1970-01-01 00:00:00 UTC.
pub const UNIVERSAL_TIME_OF_UNIX_EPOCH: i64 = 2_208_988_800;

const SECONDS_PER_DAY: i64 = 86_400;

/// A wall-clock time split into Common Lisp's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    pub second: i64,
    pub minute: i64,
    pub hour: i64,
    pub date: i64,
    pub month: i64,
    pub year: i64,
    /// 0 is Monday.
    pub day_of_week: i64,
}

/// Splits `seconds` counted from 1900-01-01 00:00 on some wall clock into its fields.
pub fn decode(seconds: i64) -> Decoded {
    let unix = seconds - UNIVERSAL_TIME_OF_UNIX_EPOCH;
    let days = unix.div_euclid(SECONDS_PER_DAY);
    let in_day = unix.rem_euclid(SECONDS_PER_DAY);
    let (year, month, date) = civil_from_days(days);
    Decoded {
        second: in_day % 60,
        minute: in_day / 60 % 60,
        hour: in_day / 3600,
        date,
        month,
        year,
        // 1970-01-01 was a Thursday.
        day_of_week: (days + 3).rem_euclid(7),
    }
}

/// Seconds from 1900-01-01 00:00 to the given wall-clock time; a date past the end of its
/// month runs into the next one. `None` on overflow.
pub fn encode(
    second: i64,
    minute: i64,
    hour: i64,
    date: i64,
    month: i64,
    year: i64,
) -> Option<i64> {
    let days = days_from_civil(year, month, date)?;
    days.checked_mul(SECONDS_PER_DAY)?
        .checked_add(hour * 3600 + minute * 60 + second)?
        .checked_add(UNIVERSAL_TIME_OF_UNIX_EPOCH)
}

/// Days from 1970-01-01 to the given date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, date: i64) -> Option<i64> {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + date - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

/// The date (year, month, day) `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let date = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, date)
}

/// The machine's time zone at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalZone {
    /// Offset of local wall-clock time from UTC, daylight saving included.
    pub seconds_east: i64,
    pub daylight: bool,
}

impl LocalZone {
    const UTC: LocalZone = LocalZone {
        seconds_east: 0,
        daylight: false,
    };
}

/// The local time zone in effect at `universal`; UTC when the C library cannot say.
pub fn local_zone(universal: i64) -> LocalZone {
    let Some(unix) = universal
        .checked_sub(UNIVERSAL_TIME_OF_UNIX_EPOCH)
        .and_then(|unix| libc::time_t::try_from(unix).ok())
    else {
        return LocalZone::UTC;
    };
    // SAFETY: `tm` is plain old data, for which all-zero bytes are a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live, properly aligned locals; `localtime_r` writes only
    // to `tm` and returns null on failure.
    let result = unsafe { libc::localtime_r(&unix, &mut tm) };
    if result.is_null() {
        return LocalZone::UTC;
    }
    LocalZone {
        seconds_east: tm.tm_gmtoff as i64,
        daylight: tm.tm_isdst > 0,
    }
}

/// The universal time at which local wall-clock time reads `local` (seconds from
/// 1900-01-01 on the local clock).
pub fn universal_from_local(local: i64) -> i64 {
    let guess = local - local_zone(local).seconds_east;
    local - local_zone(guess).seconds_east
}

/// CPU time (user and system) this process has used, in microseconds.
pub fn run_time_micros() -> i64 {
    // SAFETY: `rusage` is plain old data, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live, properly aligned local that `getrusage` fills.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0;
    }
    let micros = |t: libc::timeval| -> i64 { t.tv_sec * 1_000_000 + t.tv_usec };
    micros(usage.ru_utime) + micros(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_and_encode_are_inverse_across_eras() {
        for seconds in [
            0,
            59,
            86_399,
            86_400,
            UNIVERSAL_TIME_OF_UNIX_EPOCH,
            3_900_000_000,
            4_107_542_400, // 2030-03-01
            -1,
            -400 * 365 * 86_400,
        ] {
            let d = decode(seconds);
            assert_eq!(
                encode(d.second, d.minute, d.hour, d.date, d.month, d.year),
                Some(seconds)
            );
        }
    }

    #[test]
    fn the_first_universal_day_was_a_monday() {
        let d = decode(0);
        assert_eq!((d.year, d.month, d.date, d.day_of_week), (1900, 1, 1, 0));
    }
}
