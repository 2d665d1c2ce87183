package documents

import _ "embed"

// The letters' typeface: Liberation Serif 2.1.5, metric-compatible with Times
// New Roman (which the decree asks for, TCVN 6909:2001) and free (SIL OFL
// 1.1, fonts/LICENSE). Version 2 (Debian fonts-liberation2) is embedded, not
// 1.07 (fonts-liberation): 1.07 lacks the Vietnamese letters of U+1EA0–U+1EF9
// (ạ, ệ, ữ...).
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	serifItalic []byte
	//go:embed fonts/LiberationSerif-BoldItalic.ttf
	serifBoldItalic []byte
)
