//! The authority's clock: what date it is for the service.
//!
//! Stored timestamps are UTC instants. Every *business* date (today, a due date, a cover
//! period, a report period, a chronology date) is the date **in the authority's time zone**:
//! at 23:30 UTC on a summer evening it is already tomorrow in Jersey and in London.
//!
//! [`authority_date`] is the one conversion both the server and the phone use. The time-zone
//! database is the IANA one, through `chrono-tz`, so clock changes (the last Sunday of March
//! and of October in Europe) are handled by the database, not by hand.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

pub use chrono_tz::Tz;

/// The zone a service uses when it is given none.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::London;

/// The date it is in `tz` at `instant`.
pub fn authority_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The first instant of `date` in `tz`: local midnight, or, where the clocks skip midnight, the
/// first moment of the day that exists. A report "up to and including `to`" ends at the start of
/// the day after `to` in the authority's zone, not at UTC midnight.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    // No zone skips more than a few hours; look forward a quarter-hour at a time.
    for _ in 0..(4 * 24) {
        if let Some(instant) = tz.from_local_datetime(&local).earliest() {
            return instant.with_timezone(&Utc);
        }
        local += chrono::Duration::minutes(15);
    }
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Parses an IANA time-zone name such as `Europe/Jersey`, with an error in plain words.
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone {name:?}: use an IANA name such as Europe/London or Europe/Jersey")
    })
}

/// The business clock: the real clock, moved by a fixed offset on a training service
/// (`--as-of`), read in the authority's time zone.
///
/// On a live service the offset is zero. Security clocks (token expiry, sign-in lockouts,
/// refresh) never use this: they read the real clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusinessClock {
    tz: Tz,
    offset: chrono::Duration,
}

impl BusinessClock {
    /// The real clock in `tz`.
    pub fn live(tz: Tz) -> BusinessClock {
        BusinessClock { tz, offset: chrono::Duration::zero() }
    }

    /// A clock `offset` ahead of (or, if negative, behind) the real clock, in whole seconds.
    pub fn with_offset(tz: Tz, offset: chrono::Duration) -> BusinessClock {
        BusinessClock { tz, offset: chrono::Duration::seconds(offset.num_seconds()) }
    }

    /// A clock that reads `business_now` when the real clock reads `real_now`, and runs at the
    /// real clock's pace from then on.
    ///
    /// The offset is kept in whole seconds, as it travels to devices
    /// (`AuthoritySettings::clock_offset_seconds`), so a device and its server read the same
    /// business instant from the same real one, even in the second before midnight.
    pub fn starting_at(tz: Tz, business_now: DateTime<Utc>, real_now: DateTime<Utc>) -> BusinessClock {
        BusinessClock { tz, offset: chrono::Duration::seconds((business_now - real_now).num_seconds()) }
    }

    /// The authority's time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// How far the business clock is from the real one (zero on a live service).
    pub fn offset(&self) -> chrono::Duration {
        self.offset
    }

    /// Whether this is a training clock (moved from real time).
    pub fn is_training(&self) -> bool {
        !self.offset.is_zero()
    }

    /// The business instant when the real clock reads `real_now`.
    pub fn at(&self, real_now: DateTime<Utc>) -> DateTime<Utc> {
        real_now + self.offset
    }

    /// The business date when the real clock reads `real_now`.
    pub fn today_at(&self, real_now: DateTime<Utc>) -> NaiveDate {
        authority_date(self.tz, self.at(real_now))
    }

    /// The business instant now.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }

    /// The business date now, in the authority's zone.
    pub fn today(&self) -> NaiveDate {
        self.today_at(Utc::now())
    }

    /// `instant` as the clock on the wall reads it in the authority's zone, with that zone's
    /// offset at the time: how a visit's times are kept. A visit's day is then the authority's
    /// date, the day the caseload calls today, whatever zone the phone itself is set to.
    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.tz).fixed_offset()
    }

    /// The instant a wall-clock time typed in the authority's zone names. Of a time the clocks
    /// pass twice (01:30 on the night they go back), the first; none for a time they skip.
    pub fn local_from(&self, wall: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        use chrono::TimeZone;
        self.tz.from_local_datetime(&wall).earliest().map(|at| at.fixed_offset())
    }
}

impl Default for BusinessClock {
    fn default() -> Self {
        BusinessClock::live(DEFAULT_TIME_ZONE)
    }
}
