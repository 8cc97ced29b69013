//! Article dates: `YYYY-MM-DD` or RFC 3339, checked strictly, kept with their offset.

use std::cmp::Ordering;
use std::fmt;

use jiff::Timestamp;
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};

/// A publication date. Compares by the instant it names.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(into = "DateParts", try_from = "DateParts")]
pub struct Date {
    instant: Timestamp,
    /// The offset it was written in, so it displays as the writer wrote it.
    offset: Offset,
    /// Written as a plain `YYYY-MM-DD`: no time to show.
    date_only: bool,
}

/// Why a text is not a date: [`DateError::what`] says what is wrong with it,
/// [`DateError::help`] what to write instead; `Display` says both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    /// The text as given, trimmed.
    pub text: String,
    pub problem: DateProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not shaped like `YYYY-MM-DD...` at all.
    NotADate,
    /// Shaped like a date, but not one (`2024-02-30`, a bad time).
    Invalid,
    /// A real date the calendar arithmetic cannot reach.
    OutOfRange,
    /// A time without `Z` or an offset: which instant it names is unknown.
    NoTimeZone,
    /// A `[Europe/Paris]` annotation, which gazette does not read.
    ZoneAnnotation,
}

/// The shapes a date may take, for messages.
const EXPECTED: &str = "a date like `2026-01-22` or `2026-01-22T21:30:00Z`";

impl DateError {
    fn new(text: &str, problem: DateProblem) -> Self {
        DateError { text: text.to_owned(), problem }
    }

    /// What is wrong, naming the text: "`22/01/2026` is not a date".
    pub fn what(&self) -> String {
        let text = &self.text;
        match self.problem {
            DateProblem::NotADate => format!("`{text}` is not a date"),
            DateProblem::Invalid => format!("`{text}` is not a valid date"),
            DateProblem::OutOfRange => format!("`{text}` is out of range"),
            DateProblem::NoTimeZone => format!("`{text}` has a time but no time zone"),
            DateProblem::ZoneAnnotation => format!("`{text}` has a `[zone]` annotation"),
        }
    }

    /// What to write instead, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self.problem {
            DateProblem::NotADate | DateProblem::Invalid => Some(format!("write {EXPECTED}")),
            DateProblem::OutOfRange => None,
            DateProblem::NoTimeZone => {
                Some("add `Z` for UTC or an offset such as `+02:00`".to_owned())
            }
            DateProblem::ZoneAnnotation => Some("write only the offset".to_owned()),
        }
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())?;
        match self.problem {
            DateProblem::NotADate | DateProblem::Invalid => write!(f, ": expected {EXPECTED}"),
            _ => match self.help() {
                Some(help) => write!(f, ": {help}"),
                None => Ok(()),
            },
        }
    }
}

impl std::error::Error for DateError {}

impl Date {
    /// Parses `2026-01-22`, `2026-01-22T21:30:00Z` or `2026-01-22T21:30:00+02:00`.
    /// The error says what is expected.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let text = text.trim();
        let fail = |problem| DateError::new(text, problem);
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() >= 10
            && bytes[..10]
                .iter()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        if !shape_ok {
            return Err(fail(DateProblem::NotADate));
        }
        let pieces = Pieces::parse(text).map_err(|_| fail(DateProblem::Invalid))?;
        let date = pieces.date();
        if bytes.len() == 10 {
            let instant = date
                .to_zoned(TimeZone::UTC)
                .map_err(|_| fail(DateProblem::OutOfRange))?
                .timestamp();
            return Ok(Date { instant, offset: Offset::UTC, date_only: true });
        }
        let time = pieces.time().ok_or_else(|| fail(DateProblem::Invalid))?;
        let offset = match pieces.offset() {
            Some(PiecesOffset::Zulu) => Offset::UTC,
            Some(PiecesOffset::Numeric(n)) => n.offset(),
            _ => return Err(fail(DateProblem::NoTimeZone)),
        };
        if pieces.time_zone_annotation().is_some() {
            return Err(fail(DateProblem::ZoneAnnotation));
        }
        let instant = date
            .to_datetime(time)
            .to_zoned(TimeZone::fixed(offset))
            .map_err(|_| fail(DateProblem::OutOfRange))?
            .timestamp();
        Ok(Date { instant, offset, date_only: false })
    }

    /// The same date for a site in `zone`: a plain date becomes midnight there (issue 17),
    /// and when `show_in_zone` is set, a date with a time is shown in that zone too.
    pub fn in_zone(self, zone: &TimeZone, show_in_zone: bool) -> Date {
        if self.date_only {
            match self.day().to_zoned(zone.clone()) {
                Ok(midnight) => Date {
                    instant: midnight.timestamp(),
                    offset: midnight.offset(),
                    date_only: true,
                },
                Err(_) => self,
            }
        } else if show_in_zone {
            Date { offset: zone.to_offset(self.instant), ..self }
        } else {
            self
        }
    }

    pub fn timestamp(&self) -> Timestamp {
        self.instant
    }

    /// The calendar day in the offset the date was written in.
    pub fn day(&self) -> jiff::civil::Date {
        self.instant.to_zoned(TimeZone::fixed(self.offset)).date()
    }

    /// What [`Date::day`] is made from, as bytes: the instant and the offset. Cheaper
    /// than the day, for a hash of what a page shows of it.
    pub(crate) fn day_inputs(&self) -> [u8; 16] {
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&self.instant.as_second().to_le_bytes());
        bytes[8..12].copy_from_slice(&self.instant.subsec_nanosecond().to_le_bytes());
        bytes[12..].copy_from_slice(&self.offset.seconds().to_le_bytes());
        bytes
    }

    pub fn is_date_only(&self) -> bool {
        self.date_only
    }

    /// Full RFC 3339 with the writer's offset (`Z` for UTC), for feeds and metadata.
    pub fn rfc3339(&self) -> String {
        if self.offset == Offset::UTC {
            // Whole seconds: sub-second precision means nothing for an article.
            Timestamp::from_second(self.instant.as_second()).expect("in range").to_string()
        } else {
            let whole = Timestamp::from_second(self.instant.as_second()).expect("in range");
            whole.display_with_offset(self.offset).to_string()
        }
    }

    /// What templates get: `2026-01-22` for a plain date, RFC 3339 otherwise.
    pub fn as_written(&self) -> String {
        if self.date_only { self.day().to_string() } else { self.rfc3339() }
    }

    /// "January 22, 2026", the default theme's way of showing a date.
    pub fn long(&self) -> String {
        let day = self.day();
        day.strftime("%B %-d, %Y").to_string()
    }
}

impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Eq for Date {}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant.cmp(&other.instant)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_written())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_dates_and_rfc3339() {
        assert_eq!(Date::parse("2026-01-22").unwrap().as_written(), "2026-01-22");
        assert_eq!(Date::parse("2026-01-22").unwrap().rfc3339(), "2026-01-22T00:00:00Z");
        assert_eq!(Date::parse("2026-01-22T21:30:00Z").unwrap().rfc3339(), "2026-01-22T21:30:00Z");
        let d = Date::parse("2026-01-22T01:30:00+02:00").unwrap();
        assert_eq!(d.rfc3339(), "2026-01-22T01:30:00+02:00");
        assert_eq!(d.day().to_string(), "2026-01-22");
        assert!(d < Date::parse("2026-01-22").unwrap(), "compares by instant");
        assert_eq!(Date::parse("2026-01-02").unwrap().long(), "January 2, 2026");
    }

    #[test]
    fn plain_dates_start_at_midnight_in_the_site_zone() {
        let zone = TimeZone::get("Europe/Paris").unwrap();
        let d = Date::parse("2026-07-01").unwrap().in_zone(&zone, true);
        assert_eq!(d.rfc3339(), "2026-07-01T00:00:00+02:00");
        assert_eq!(d.as_written(), "2026-07-01");
        let t = Date::parse("2026-06-30T23:30:00Z").unwrap().in_zone(&zone, true);
        assert_eq!(t.long(), "July 1, 2026", "shown in the site's zone");
        assert_eq!(t.timestamp(), Date::parse("2026-06-30T23:30:00Z").unwrap().timestamp());
    }

    #[test]
    fn rejects_impossible_and_vague_dates() {
        for bad in
            ["2024-02-30", "yesterday", "2024", "22/01/2026", "2026-13-01", "2026-01-22T25:00:00Z"]
        {
            assert!(Date::parse(bad).is_err(), "{bad} should be refused");
        }
        let e = Date::parse("2026-01-22T10:00:00").unwrap_err();
        assert_eq!(e.problem, DateProblem::NoTimeZone);
        assert_eq!(
            e.to_string(),
            "`2026-01-22T10:00:00` has a time but no time zone: add `Z` for UTC or an offset such as `+02:00`"
        );
        assert_eq!(Date::parse(" 22/01/2026 ").unwrap_err().problem, DateProblem::NotADate);
        let e = Date::parse("2024-02-30").unwrap_err();
        assert_eq!(e.what(), "`2024-02-30` is not a valid date");
        assert_eq!(
            e.help().as_deref(),
            Some("write a date like `2026-01-22` or `2026-01-22T21:30:00Z`")
        );
        let e = Date::parse("2026-01-22T10:00:00+01:00[Europe/Paris]").unwrap_err();
        assert_eq!(e.problem, DateProblem::ZoneAnnotation);
        assert_eq!(e.help().as_deref(), Some("write only the offset"));
    }
}

/// A [`Date`] as the parse cache keeps it (issue 15): the instant in nanoseconds, the
/// offset in seconds.
#[derive(serde::Serialize, serde::Deserialize)]
struct DateParts {
    nanos: i128,
    offset: i32,
    date_only: bool,
}

impl From<Date> for DateParts {
    fn from(date: Date) -> DateParts {
        DateParts {
            nanos: date.instant.as_nanosecond(),
            offset: date.offset.seconds(),
            date_only: date.date_only,
        }
    }
}

impl TryFrom<DateParts> for Date {
    type Error = jiff::Error;

    fn try_from(parts: DateParts) -> Result<Date, jiff::Error> {
        Ok(Date {
            instant: Timestamp::from_nanosecond(parts.nanos)?,
            offset: Offset::from_seconds(parts.offset)?,
            date_only: parts.date_only,
        })
    }
}
