// Package importer reads the OZG catalogue and municipality directories
// (CSV, see package csvtable) into ozg.dev/v1alpha1 objects, accounting for
// every row in a Report.
//
// The importer never drops data silently. A row that cannot become (part
// of) an object is rejected; a value the CRD would refuse is dropped,
// shortened or defaulted with a warning; both are Issues with file, line
// and column. A row with more or fewer fields than the header is rejected
// as a whole (an Issue with file and line only); a file whose structure is
// broken as a whole is an error and yields nothing. Only surrounding and
// repeated white space is normalised without a finding (the legal basis
// keeps its inner line breaks). The CRD limits the importer cuts at are
// those of api/v1alpha1 (limits.go).
//
// Catalogue (ReadCatalog):
//   - every OZG service becomes an OZGService ozg-<ozgId> labelled with
//     ozg.dev/ozg-id and the transliterated ozg.dev/themenfeld
//     ("Bauen & Wohnen" is bauen-und-wohnen);
//   - LeiKa rows are attached to their OZG service, keyed ones first in key
//     order, then unkeyed ones by name; a row without or with an unknown
//     ozg_id is rejected;
//   - the documented marker "nicht im LeiKa" keeps the row without key and
//     is only counted; any other key that is not 14 digits keeps the row
//     without key with a warning;
//   - typisierung "1, 2/3" is split; invalid or repeated values are dropped
//     with a warning; rechtsgrundlage is shortened to the CRD's 4096
//     characters with a warning; sdg1/sdg2 become sdgAnnexI/sdgAnnexII;
//   - Themenfelder and Lebenslagen no service uses, and placeholder
//     Lebenslagen ("aaaaabbbbb"), are warnings.
//
// Administrations (ReadAdministrations):
//   - object names are transliterated short names ("herford"); a Kreis is
//     "kreis-<name>" unless its name says Kreis or Region
//     ("rhein-kreis-neuss", "hochsauerlandkreis", "staedteregion-aachen");
//     rows of the whole file that still collide both get "-<key>"; names
//     fit a DNS label (63 characters) because portal host names use them;
//   - spec.displayName is the name before the first comma ("Düsseldorf,
//     Stadt" is Düsseldorf), "Kreis <name>" for a Kreis whose name does
//     not say so; the official name is kept in the annotation
//     ozg.dev/official-name;
//   - spec.ars (Amtlicher Regionalschlüssel) comes from an optional ars
//     column; a value that is not 12 digits or does not extend the key is a
//     warning. Without one, NRW keys derive it (NRWARS: NRW has no
//     Gemeindeverbände, so a municipality's Gemeindeverband part is 0 and
//     its Gemeinde part); other Länder's administrations get none;
//   - ozg.dev/kreis is a Kreis' own key and a municipality's first five AGS
//     digits: its Kreis, or for a kreisfreie Stadt its own Kreis-level key;
//   - a Kreis filter keeps the municipalities with that ozg.dev/kreis, not
//     the Kreise themselves: krz's Kreise 05766, 05758 and 05770 give its 36
//     municipalities, whose spec.parent names Kreis objects the filtered
//     import creates only with WithKreise (--with-kreise);
//   - kreisangehörige municipalities of NRW get spec.sizeClass from their
//     population (§ 4 GO NRW, see responsibility.NRWSizeClass), and every
//     administration spec.responsibility.profile: the one asked for, or
//     NRWProfile for NRW keys.
package importer
