//! The bytes a rebuild hashes to tell whether a view changed: any `Serialize` value
//! written as tagged, length-prefixed fields, with nothing escaped (issue 15).
//!
//! Every value starts with a tag naming its kind; strings and byte strings carry their
//! length; sequences, maps and structs mark each entry and their end; structs and enum
//! variants carry their names, and struct fields their keys (a field skipped when empty
//! is absent, so its key is what tells the others apart). The encoding is therefore
//! prefix-free: two different values never give the same bytes, which is what lets a
//! hash of them stand for the value. JSON gave that too, but escaped every string on the
//! way, which cost more than the hash (a twentieth of a 100,000-article rebuild's CPU).

use std::fmt;

use serde::ser::{self, Serialize};

/// Appends the fingerprint bytes of `value` to `bytes`.
pub(crate) fn put<T: Serialize + ?Sized>(bytes: &mut Vec<u8>, value: &T) {
    value.serialize(&mut Writer { bytes }).expect("a fingerprint never fails");
}

/// Appends a length in seven bits a byte, low bits first, the high bit set on every
/// byte but the last (LEB128): no length's bytes begin another's, and most lengths take
/// one byte rather than eight.
pub(crate) fn put_len(bytes: &mut Vec<u8>, len: usize) {
    let mut rest = len as u64;
    while rest >= 0x80 {
        bytes.push((rest as u8 & 0x7f) | 0x80);
        rest >>= 7;
    }
    bytes.push(rest as u8);
}

/// The tags. Values only need to differ from one another.
mod tag {
    pub(super) const FALSE: u8 = 1;
    pub(super) const TRUE: u8 = 2;
    pub(super) const INT: u8 = 3;
    pub(super) const UINT: u8 = 4;
    pub(super) const INT128: u8 = 5;
    pub(super) const UINT128: u8 = 6;
    pub(super) const FLOAT: u8 = 7;
    pub(super) const CHAR: u8 = 8;
    pub(super) const STR: u8 = 9;
    pub(super) const BYTES: u8 = 10;
    pub(super) const NONE: u8 = 11;
    pub(super) const SOME: u8 = 12;
    pub(super) const UNIT: u8 = 13;
    pub(super) const UNIT_STRUCT: u8 = 14;
    pub(super) const UNIT_VARIANT: u8 = 15;
    pub(super) const NEWTYPE_STRUCT: u8 = 16;
    pub(super) const NEWTYPE_VARIANT: u8 = 17;
    pub(super) const SEQ: u8 = 18;
    pub(super) const TUPLE: u8 = 19;
    pub(super) const TUPLE_STRUCT: u8 = 20;
    pub(super) const TUPLE_VARIANT: u8 = 21;
    pub(super) const MAP: u8 = 22;
    pub(super) const STRUCT: u8 = 23;
    pub(super) const STRUCT_VARIANT: u8 = 24;
    pub(super) const F32: u8 = 25;
    /// Before each entry of a sequence, map or struct.
    pub(super) const ENTRY: u8 = 0xfe;
    /// After the last entry.
    pub(super) const END: u8 = 0xff;
}

/// Never made: writing to memory cannot fail, and every value of serde's model has bytes.
#[derive(Debug)]
pub(crate) struct Never(String);

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Never(msg.to_string())
    }
}

struct Writer<'b> {
    bytes: &'b mut Vec<u8>,
}

impl Writer<'_> {
    fn str(&mut self, text: &str) {
        put_len(self.bytes, text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    fn tagged(&mut self, tag: u8, raw: &[u8]) {
        self.bytes.push(tag);
        self.bytes.extend_from_slice(raw);
    }

    fn variant(&mut self, tag: u8, name: &str, index: u32, variant: &str) {
        self.bytes.push(tag);
        self.str(name);
        self.bytes.extend_from_slice(&index.to_le_bytes());
        self.str(variant);
    }
}

type Done = Result<(), Never>;

impl<'a, 'b> ser::Serializer for &'a mut Writer<'b> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Done {
        self.bytes.push(if v { tag::TRUE } else { tag::FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.tagged(tag::INT, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Done {
        self.tagged(tag::INT128, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.tagged(tag::UINT, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Done {
        self.tagged(tag::UINT128, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.tagged(tag::F32, &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.tagged(tag::FLOAT, &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.tagged(tag::CHAR, &u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.bytes.push(tag::STR);
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.bytes.push(tag::BYTES);
        put_len(self.bytes, v.len());
        self.bytes.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.bytes.push(tag::NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.bytes.push(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.bytes.push(tag::UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Done {
        self.bytes.push(tag::UNIT_STRUCT);
        self.str(name);
        Ok(())
    }
    fn serialize_unit_variant(self, name: &'static str, index: u32, variant: &'static str) -> Done {
        self.variant(tag::UNIT_VARIANT, name, index, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Done {
        self.bytes.push(tag::NEWTYPE_STRUCT);
        self.str(name);
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.variant(tag::NEWTYPE_VARIANT, name, index, variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Never> {
        self.bytes.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, Never> {
        self.bytes.push(tag::TUPLE);
        Ok(self)
    }
    fn serialize_tuple_struct(self, name: &'static str, _len: usize) -> Result<Self, Never> {
        self.bytes.push(tag::TUPLE_STRUCT);
        self.str(name);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Never> {
        self.variant(tag::TUPLE_VARIANT, name, index, variant);
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Never> {
        self.bytes.push(tag::MAP);
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self, Never> {
        self.bytes.push(tag::STRUCT);
        self.str(name);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Never> {
        self.variant(tag::STRUCT_VARIANT, name, index, variant);
        Ok(self)
    }
}

/// Sequences, tuples and their variants: each element marked, then the end.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Writer<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                self.bytes.push(tag::ENTRY);
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.bytes.push(tag::END);
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Writer<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.bytes.push(tag::ENTRY);
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.bytes.push(tag::END);
        Ok(())
    }
}

/// Structs and struct variants: each field marked and named, then the end.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut Writer<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Done {
                self.bytes.push(tag::ENTRY);
                self.str(key);
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.bytes.push(tag::END);
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    fn bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut bytes = Vec::new();
        super::put(&mut bytes, value);
        bytes
    }

    #[derive(Serialize)]
    struct Card<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        image: Option<&'a str>,
        summary: &'a str,
    }

    #[derive(Serialize)]
    struct Page<'a> {
        #[serde(flatten)]
        card: Card<'a>,
        tags: Vec<&'a str>,
    }

    #[test]
    fn strings_cut_at_other_places_differ() {
        assert_ne!(bytes(&("ab", "c")), bytes(&("a", "bc")));
        assert_ne!(bytes(&vec!["ab", "c"]), bytes(&vec!["a", "bc"]));
        assert_ne!(bytes(&vec!["a"]), bytes(&vec!["a", ""]));
        assert_ne!(bytes(&vec![vec!["a"], vec![]]), bytes(&vec![vec![], vec!["a"]]));
    }

    #[test]
    fn lengths_take_seven_bits_a_byte_and_none_begins_another() {
        let len = |n: usize| {
            let mut bytes = Vec::new();
            super::put_len(&mut bytes, n);
            bytes
        };
        assert_eq!(len(0), [0]);
        assert_eq!(len(127), [127]);
        assert_eq!(len(128), [0x80, 1]);
        assert_eq!(len(300), [0xac, 0x02]);
        assert_eq!(len(16_384), [0x80, 0x80, 1]);
        let lengths: Vec<usize> = (0..20_000).chain([1 << 21, (1 << 21) - 1, usize::MAX]).collect();
        let all: std::collections::HashSet<Vec<u8>> = lengths.iter().map(|&n| len(n)).collect();
        assert_eq!(all.len(), lengths.len());
        for bytes in &all {
            // Only the last byte lacks the high bit: no shorter one is a prefix.
            assert!(bytes[..bytes.len() - 1].iter().all(|b| b & 0x80 != 0));
            assert_eq!(bytes.last().unwrap() & 0x80, 0);
        }
        // Strings cut where a length goes from one byte to two.
        let long = "x".repeat(200);
        assert_ne!(bytes(&(&long[..127], &long[127..])), bytes(&(&long[..128], &long[128..])));
    }

    #[test]
    fn a_skipped_field_is_told_from_a_moved_value() {
        let with = Card { title: "t", image: Some("x"), summary: "" };
        let without = Card { title: "t", image: None, summary: "x" };
        assert_ne!(bytes(&with), bytes(&without));
    }

    #[test]
    fn flattened_and_nested_values_differ_by_every_field() {
        let page =
            |title, image, summary, tags| Page { card: Card { title, image, summary }, tags };
        let base = bytes(&page("t", None, "s", vec!["a"]));
        assert_eq!(base, bytes(&page("t", None, "s", vec!["a"])));
        for other in [
            page("u", None, "s", vec!["a"]),
            page("t", Some(""), "s", vec!["a"]),
            page("t", None, "s ", vec!["a"]),
            page("t", None, "s", vec![]),
            page("t", None, "s", vec!["a", "a"]),
        ] {
            assert_ne!(base, bytes(&other));
        }
    }

    #[test]
    fn kinds_of_values_differ_even_with_equal_bits() {
        assert_ne!(bytes(&1u64), bytes(&1i64));
        assert_ne!(bytes(&0u64), bytes(&0.0f64));
        assert_ne!(bytes(&None::<u8>), bytes(&()));
        assert_ne!(bytes(&Some(())), bytes(&()));
        assert_ne!(bytes(&true), bytes(&false));
        let map: BTreeMap<&str, &str> = [("a", "b")].into();
        assert_ne!(bytes(&map), bytes(&vec!["a", "b"]));
        assert_ne!(bytes(&serde_json::json!({"a": 1})), bytes(&serde_json::json!({"a": 1.0})));
    }
}
