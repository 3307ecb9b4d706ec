// SPDX-License-Identifier: MIT
#include "dissect/rdp_names.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include "dissect/name_table.hpp"

namespace rdpscope::names {

namespace {

std::string with_number(std::string_view prefix, unsigned long long n) {
    return std::string(prefix) + std::to_string(n);
}

// Windows keyboard layout identifiers (KLID): the low word is the language
// id, the high word selects a variant layout.  Names as Zeek's RDP::languages
// spells them (Microsoft "Windows language pack default values" / the old
// goglobal KLID list).  Zeek lists 0x00010408 twice ("Greek (220)" and a
// stray "Uyghur", which is really 0x00010480); we keep Greek (220).  Sorted by
// KLID for binary search.
constexpr Named<std::uint32_t> keyboard_layouts[] = {
    {0x00000401, "Arabic - Saudi Arabia"},
    {0x00000402, "Bulgarian"},
    {0x00000403, "Catalan"},
    {0x00000404, "Chinese - Taiwan"},
    {0x00000405, "Czech"},
    {0x00000406, "Danish"},
    {0x00000407, "German - Germany"},
    {0x00000408, "Greek"},
    {0x00000409, "English - United States"},
    {0x0000040a, "Spanish - Spain (Traditional Sort)"},
    {0x0000040b, "Finnish"},
    {0x0000040c, "French - France"},
    {0x0000040d, "Hebrew"},
    {0x0000040e, "Hungarian"},
    {0x0000040f, "Icelandic"},
    {0x00000410, "Italian - Italy"},
    {0x00000411, "Japanese"},
    {0x00000412, "Korean"},
    {0x00000413, "Dutch - Netherlands"},
    {0x00000414, "Norwegian (Bokmal)"},
    {0x00000415, "Polish"},
    {0x00000416, "Portuguese - Brazil"},
    {0x00000417, "Rhaeto-Romanic"},
    {0x00000418, "Romanian"},
    {0x00000419, "Russian"},
    {0x0000041a, "Croatian"},
    {0x0000041b, "Slovak"},
    {0x0000041c, "Albanian - Albania"},
    {0x0000041d, "Swedish"},
    {0x0000041e, "Thai"},
    {0x0000041f, "Turkish"},
    {0x00000420, "Urdu"},
    {0x00000421, "Indonesian"},
    {0x00000422, "Ukrainian"},
    {0x00000423, "Belarusian"},
    {0x00000424, "Slovenian"},
    {0x00000425, "Estonian"},
    {0x00000426, "Latvian"},
    {0x00000427, "Lithuanian"},
    {0x00000428, "Tajik"},
    {0x00000429, "Farsi"},
    {0x0000042a, "Vietnamese"},
    {0x0000042b, "Armenian - Armenia"},
    {0x0000042c, "Azeri (Latin)"},
    {0x0000042d, "Basque"},
    {0x0000042e, "Sorbian"},
    {0x0000042f, "FYRO Macedonian"},
    {0x00000430, "Sutu"},
    {0x00000431, "Tsonga"},
    {0x00000432, "Tswana"},
    {0x00000433, "Venda"},
    {0x00000434, "Xhosa"},
    {0x00000435, "Zulu"},
    {0x00000436, "Afrikaans - South Africa"},
    {0x00000437, "Georgian"},
    {0x00000438, "Faroese"},
    {0x00000439, "Hindi"},
    {0x0000043a, "Maltese"},
    {0x0000043b, "Sami (Lappish)"},
    {0x0000043c, "Scottish Gaelic"},
    {0x0000043d, "Yiddish"},
    {0x0000043e, "Malay - Malaysia"},
    {0x0000043f, "Kazakh"},
    {0x00000440, "Kyrgyz (Cyrillic)"},
    {0x00000441, "Swahili"},
    {0x00000442, "Turkmen"},
    {0x00000443, "Uzbek (Latin)"},
    {0x00000444, "Tatar"},
    {0x00000445, "Bengali (India)"},
    {0x00000446, "Punjabi"},
    {0x00000447, "Gujarati"},
    {0x00000448, "Oriya"},
    {0x00000449, "Tamil"},
    {0x0000044a, "Telugu"},
    {0x0000044b, "Kannada"},
    {0x0000044c, "Malayalam"},
    {0x0000044d, "Assamese"},
    {0x0000044e, "Marathi"},
    {0x0000044f, "Sanskrit"},
    {0x00000450, "Mongolian (Cyrillic)"},
    {0x00000451, "Tibetan - People's Republic of China"},
    {0x00000452, "Welsh"},
    {0x00000453, "Khmer"},
    {0x00000454, "Lao"},
    {0x00000455, "Burmese"},
    {0x00000456, "Galician"},
    {0x00000457, "Konkani"},
    {0x00000458, "Manipuri"},
    {0x00000459, "Sindhi - India"},
    {0x0000045a, "Syriac"},
    {0x0000045b, "Sinhalese - Sri Lanka"},
    {0x0000045c, "Cherokee - United States"},
    {0x0000045d, "Inuktitut"},
    {0x0000045e, "Amharic - Ethiopia"},
    {0x0000045f, "Tamazight (Arabic)"},
    {0x00000460, "Kashmiri (Arabic)"},
    {0x00000461, "Nepali"},
    {0x00000462, "French - West Indies"},
    {0x00000463, "Pashto"},
    {0x00000464, "Filipino"},
    {0x00000465, "Divehi"},
    {0x00000466, "Edo"},
    {0x00000467, "Fulfulde - Nigeria"},
    {0x00000468, "Hausa - Nigeria"},
    {0x00000469, "Ibibio - Nigeria"},
    {0x0000046a, "Yoruba"},
    {0x0000046b, "Quecha - Bolivia"},
    {0x0000046c, "Sepedi"},
    {0x0000046d, "Bashkir"},
    {0x0000046e, "Luxembourgish"},
    {0x0000046f, "Greenlandic"},
    {0x00000470, "Igbo - Nigeria"},
    {0x00000471, "Kanuri - Nigeria"},
    {0x00000472, "Oromo"},
    {0x00000473, "Tigrigna - Ethiopia"},
    {0x00000474, "Guarani - Paraguay"},
    {0x00000475, "Hawaiian - United States"},
    {0x00000476, "Latin"},
    {0x00000477, "Somali"},
    {0x00000478, "Yi"},
    {0x00000479, "Papiamentu"},
    {0x0000047a, "Mapudungun"},
    {0x0000047c, "Mohawk"},
    {0x0000047e, "Breton"},
    {0x00000480, "Uighur - China"},
    {0x00000481, "Maori - New Zealand"},
    {0x00000482, "Occitan"},
    {0x00000483, "Corsican"},
    {0x00000484, "Alsatian"},
    {0x00000485, "Yakut"},
    {0x00000486, "K'iche"},
    {0x00000487, "Kinyarwanda"},
    {0x00000488, "Wolof"},
    {0x0000048c, "Dari"},
    {0x000004ff, "HID (Human Interface Device)"},
    {0x00000801, "Arabic - Iraq"},
    {0x00000804, "Chinese - People's Republic of China"},
    {0x00000807, "German - Switzerland"},
    {0x00000809, "English - United Kingdom"},
    {0x0000080a, "Spanish - Mexico"},
    {0x0000080c, "French - Belgium"},
    {0x00000810, "Italian - Switzerland"},
    {0x00000813, "Dutch - Belgium"},
    {0x00000814, "Norwegian (Nynorsk)"},
    {0x00000816, "Portuguese - Portugal"},
    {0x00000818, "Romanian - Moldava"},
    {0x00000819, "Russian - Moldava"},
    {0x0000081a, "Serbian (Latin)"},
    {0x0000081d, "Swedish - Finland"},
    {0x00000820, "Urdu - India"},
    {0x0000082c, "Azeri (Cyrillic)"},
    {0x0000083b, "Sami (Northern) - Sweden"},
    {0x0000083c, "Irish"},
    {0x0000083e, "Malay - Brunei Darussalam"},
    {0x00000843, "Uzbek (Cyrillic)"},
    {0x00000845, "Bengali (Bangladesh)"},
    {0x00000846, "Punjabi (Pakistan)"},
    {0x00000849, "Tamil - Sri Lanka"},
    {0x00000850, "Mongolian (Mongolian)"},
    {0x00000851, "Tibetan - Bhutan"},
    {0x00000859, "Sindhi - Pakistan"},
    {0x0000085d, "Inuktitut (Latin) - Canada"},
    {0x0000085f, "Tamazight (Latin)"},
    {0x00000860, "Kashmiri"},
    {0x00000861, "Nepali - India"},
    {0x00000867, "Pular - Senegal"},
    {0x0000086b, "Quecha - Ecuador"},
    {0x00000873, "Tigrigna - Eritrea"},
    {0x00000c01, "Arabic - Egypt"},
    {0x00000c04, "Chinese - Hong Kong SAR"},
    {0x00000c07, "German - Austria"},
    {0x00000c09, "English - Australia"},
    {0x00000c0a, "Spanish - Spain (Modern Sort)"},
    {0x00000c0c, "French - Canada"},
    {0x00000c1a, "Serbian (Cyrillic)"},
    {0x00000c3b, "Sami (Northern) - Finland"},
    {0x00000c51, "Dzongkha"},
    {0x00000c6b, "Quecha - Peru CB"},
    {0x00001001, "Arabic - Libya"},
    {0x00001004, "Chinese - Singapore"},
    {0x00001007, "German - Luxembourg"},
    {0x00001009, "English - Canada"},
    {0x0000100a, "Spanish - Guatemala"},
    {0x0000100c, "French - Switzerland"},
    {0x0000101a, "Croatian (Bosnia/Herzegovina)"},
    {0x0000103b, "Sami (Lule) - Norway"},
    {0x0000105f, "Central Atlas Tamazight (Tifinagh) - Morocco"},
    {0x00001401, "Arabic - Algeria"},
    {0x00001404, "Chinese - Macao SAR"},
    {0x00001407, "German - Liechtenstein"},
    {0x00001409, "English - New Zealand"},
    {0x0000140a, "Spanish - Costa Rica"},
    {0x0000140c, "French - Luxembourg"},
    {0x0000141a, "Bosnian (Bosnia/Herzegovina)"},
    {0x0000143b, "Sami (Lule) - Sweden"},
    {0x00001801, "Arabic - Morocco"},
    {0x00001809, "English - Ireland"},
    {0x0000180a, "Spanish - Panama"},
    {0x0000180c, "French - Monaco"},
    {0x0000181a, "Serbian (Latin) - Bosnia and Herzegovina"},
    {0x0000183b, "Sami (Southern) - Norway"},
    {0x00001c01, "Arabic - Tunisia"},
    {0x00001c09, "English - South Africa"},
    {0x00001c0a, "Spanish - Dominican Republic"},
    {0x00001c0c, "French - West Indies"},
    {0x00001c3b, "Sami (Southern) - Sweden"},
    {0x00002001, "Arabic - Oman"},
    {0x00002009, "English - Jamaica"},
    {0x0000200a, "Spanish - Venezuela"},
    {0x0000200c, "French - Reunion"},
    {0x0000201a, "Bosnian (Cyrillic) - Bosnia and Herzegovina"},
    {0x0000203b, "Sami (Skolt) - Finland"},
    {0x00002401, "Arabic - Yemen"},
    {0x00002409, "English - Caribbean"},
    {0x0000240a, "Spanish - Colombia"},
    {0x0000240c, "French - Democratic Rep. of Congo"},
    {0x0000241a, "Serbian (Latin) - Serbia"},
    {0x0000243b, "Sami (Inari) - Finland"},
    {0x00002801, "Arabic - Syria"},
    {0x00002809, "English - Belize"},
    {0x0000280a, "Spanish - Peru"},
    {0x0000280c, "French - Senegal"},
    {0x0000281a, "Serbian (Cyrillic) - Serbia"},
    {0x00002c01, "Arabic - Jordan"},
    {0x00002c09, "English - Trinidad"},
    {0x00002c0a, "Spanish - Argentina"},
    {0x00002c0c, "French - Cameroon"},
    {0x00002c1a, "Serbian (Latin) - Montenegro"},
    {0x00003001, "Arabic - Lebanon"},
    {0x00003009, "English - Zimbabwe"},
    {0x0000300a, "Spanish - Ecuador"},
    {0x0000300c, "French - Cote d'Ivoire"},
    {0x0000301a, "Serbian (Cyrillic) - Montenegro"},
    {0x00003401, "Arabic - Kuwait"},
    {0x00003409, "English - Philippines"},
    {0x0000340a, "Spanish - Chile"},
    {0x0000340c, "French - Mali"},
    {0x00003801, "Arabic - U.A.E."},
    {0x00003809, "English - Indonesia"},
    {0x0000380a, "Spanish - Uruguay"},
    {0x0000380c, "French - Morocco"},
    {0x00003c01, "Arabic - Bahrain"},
    {0x00003c09, "English - Hong Kong SAR"},
    {0x00003c0a, "Spanish - Paraguay"},
    {0x00003c0c, "French - Haiti"},
    {0x00004001, "Arabic - Qatar"},
    {0x00004009, "English - India"},
    {0x0000400a, "Spanish - Bolivia"},
    {0x00004409, "English - Malaysia"},
    {0x0000440a, "Spanish - El Salvador"},
    {0x00004809, "English - Singapore"},
    {0x0000480a, "Spanish - Honduras"},
    {0x00004c0a, "Spanish - Nicaragua"},
    {0x0000500a, "Spanish - Puerto Rico"},
    {0x0000540a, "Spanish - United States"},
    {0x0000580a, "Spanish - Latin America"},
    {0x00007c04, "Chinese - Traditional"},
    {0x0000e40c, "French - North Africa"},
    {0x00010401, "Arabic (102)"},
    {0x00010402, "Bulgarian (Latin)"},
    {0x00010405, "Czech (QWERTY)"},
    {0x00010407, "German (IBM)"},
    {0x00010408, "Greek (220)"},
    {0x00010409, "English - United States (Dvorak)"},
    {0x0001040a, "Spanish Variation"},
    {0x0001040e, "Hungarian 101-key"},
    {0x00010410, "Italian (142)"},
    {0x00010415, "Polish (214)"},
    {0x00010416, "Portuguese (Brazilian ABNT2)"},
    {0x00010418, "Romanian (Standard)"},
    {0x00010419, "Russian (Typewriter)"},
    {0x0001041b, "Slovak (QWERTY)"},
    {0x0001041e, "Thai Pattachote"},
    {0x0001041f, "Turkish F"},
    {0x00010426, "Latvian (Legacy)"},
    {0x00010427, "Lithuanian"},
    {0x0001042b, "Armenian Western"},
    {0x0001042c, "Azerbaijani (Standard)"},
    {0x0001042e, "Sorbian Extended"},
    {0x0001042f, "Macedonia (FYROM) - Standard"},
    {0x00010437, "Georgian (QWERTY)"},
    {0x00010439, "Hindi Traditional"},
    {0x0001043a, "Maltese 48-key"},
    {0x0001043b, "Sami Extended Norway"},
    {0x00010444, "Tatar"},
    {0x00010445, "Bangla (India - Legacy)"},
    {0x00010451, "Tibetan (PRC - Standard)"},
    {0x00010453, "Khmer (NIDA)"},
    {0x0001045a, "Syriac Phonetic"},
    {0x0001045b, "Sinhala - wij 9"},
    {0x0001045c, "Cherokee Nation Phonetic"},
    {0x0001045d, "Inuktitut - Naqittaut"},
    {0x00010465, "Divehi Typewriter"},
    {0x00010480, "Uyghur"},
    {0x0001080c, "Belgian (Comma)"},
    {0x0001083b, "Finnish with Sami"},
    {0x00010c00, "Myanmar"},
    {0x00011009, "Canadian Multilingual Standard"},
    {0x00011809, "Scottish Gaelic"},
    {0x00020401, "Arabic (102) AZERTY"},
    {0x00020402, "Bulgarian (phonetic layout)"},
    {0x00020405, "Czech Programmers"},
    {0x00020408, "Greek (319)"},
    {0x00020409, "English - United States (International)"},
    {0x00020418, "Romanian (Programmers)"},
    {0x00020419, "Russian - Mnemonic"},
    {0x0002041e, "Thai Kedmanee (non-ShiftLock)"},
    {0x00020422, "Ukrainian (Enhanced)"},
    {0x00020426, "Latvian (Standard)"},
    {0x00020427, "Lithuanian Standard"},
    {0x0002042b, "Armenian Phonetic"},
    {0x0002042e, "Sorbian Standard"},
    {0x00020437, "Georgian (Ergonomic)"},
    {0x00020445, "Bangla (India)"},
    {0x0002083b, "Sami Extended Finland-Sweden"},
    {0x00020850, "Mongolian (Mongolian Script - Standard)"},
    {0x00020c00, "New Tai Lue"},
    {0x00030402, "Bulgarian"},
    {0x00030408, "Greek (220) Latin"},
    {0x00030409, "English - United States (Dvorak for left hand)"},
    {0x0003041e, "Thai Pattachote (non-ShiftLock)"},
    {0x0003042b, "Armenian Typewriter"},
    {0x00030437, "Georgian Ministry of Education and Science Schools"},
    {0x00030c00, "Tai Le"},
    {0x00040402, "Bulgarian (phonetic traditional)"},
    {0x00040408, "Greek (319) Latin"},
    {0x00040409, "English - United States (Dvorak for right hand)"},
    {0x00040437, "Georgian (Old Alphabets)"},
    {0x00050408, "Greek Latin"},
    {0x00050429, "Persian (Standard)"},
    {0x00050c00, "Tifinagh (Basic)"},
    {0x00060408, "Greek Polytonic"},
    {0x00060c00, "Tifinagh (Full)"},
    {0x00070c00, "Lisu (Basic)"},
    {0x00080c00, "Lisu (Standard)"},
    {0x00090c00, "N'ko"},
    {0x000a0c00, "Phags-pa"},
    {0x000b0c00, "Buginese"},
    {0x000c0c00, "Gothic"},
    {0x000d0c00, "Ol Chiki"},
    {0x000e0c00, "Osmanya"},
    {0x000f0c00, "Old Italic"},
    {0x00100c00, "Sora"},
    {0x00110c00, "Javanese"},
    {0x00120c00, "Futhark"},
};

constexpr std::array<Named<std::uint32_t>, 14> client_builds{{
    // mstsc.exe builds as Zeek's RDP::builds names them (c-amie.co.uk list).
    {419, "RDP 4.0"},   {2195, "RDP 5.0"},  {2221, "RDP 5.0"},  {2600, "RDP 5.1"},
    {3790, "RDP 5.2"},  {6000, "RDP 6.0"},  {6001, "RDP 6.1"},  {6002, "RDP 6.2"},
    {7600, "RDP 7.0"},  {7601, "RDP 7.1"},  {9200, "RDP 8.0"},  {9600, "RDP 8.1"},
    {25189, "RDP 8.0 (Mac)"}, {25282, "RDP 8.0 (Mac)"},
}};

}  // namespace

std::string encryption_method(std::uint32_t method) {
    // MS-RDPBCGR 2.2.1.4.3: ENCRYPTION_METHOD_NONE/40BIT/128BIT/56BIT/FIPS.
    static constexpr std::array<Named<std::uint32_t>, 5> t{{
        {0x00, "None"}, {0x01, "40bit"}, {0x02, "128bit"}, {0x08, "56bit"}, {0x10, "FIPS"},
    }};
    auto n = lookup(t, method);
    return n.empty() ? with_number("encryption_method-", method) : std::string(n);
}

std::vector<std::string> encryption_method_flags(std::uint32_t methods) {
    static constexpr std::array<Named<std::uint32_t>, 4> t{{
        {0x01, "40bit"}, {0x02, "128bit"}, {0x08, "56bit"}, {0x10, "FIPS"},
    }};
    std::vector<std::string> out;
    std::uint32_t known = 0;
    for (const auto& e : t) {
        known |= e.code;
        if (methods & e.code) out.emplace_back(e.name);
    }
    if (std::uint32_t rest = methods & ~known) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%x", rest);
        out.emplace_back(buf);
    }
    return out;
}

std::string encryption_level(std::uint32_t level) {
    // MS-RDPBCGR 2.2.1.4.3: ENCRYPTION_LEVEL_NONE/LOW/CLIENT_COMPATIBLE/HIGH/FIPS.
    static constexpr std::array<Named<std::uint32_t>, 5> t{{
        {0, "None"}, {1, "Low"}, {2, "Client compatible"}, {3, "High"}, {4, "FIPS"},
    }};
    auto n = lookup(t, level);
    return n.empty() ? with_number("encryption_level-", level) : std::string(n);
}

std::string cert_type(std::uint32_t cert_chain_version) {
    // MS-RDPBCGR 2.2.1.4.3.1: CERT_CHAIN_VERSION_1 / _2.
    if (cert_chain_version == 1) return "RSA";
    if (cert_chain_version == 2) return "X.509";
    return with_number("cert_type-", cert_chain_version);
}

std::string client_build(std::uint32_t build) {
    auto n = lookup(client_builds, build);
    return n.empty() ? with_number("client_build-", build) : std::string(n);
}

std::string_view rdp_version(std::uint32_t version) {
    // MS-RDPBCGR 2.2.1.3.2 version: RDP_VERSION_4, RDP_VERSION_5_PLUS, then one
    // value per RDP 10.x release.
    static constexpr std::array<Named<std::uint32_t>, 15> t{{
        {0x00080001, "RDP 4.0"},   {0x00080004, "RDP 5.0+"},  {0x00080005, "RDP 10.0"},
        {0x00080006, "RDP 10.1"},  {0x00080007, "RDP 10.2"},  {0x00080008, "RDP 10.3"},
        {0x00080009, "RDP 10.4"},  {0x0008000a, "RDP 10.5"},  {0x0008000b, "RDP 10.6"},
        {0x0008000c, "RDP 10.7"},  {0x0008000d, "RDP 10.8"},  {0x0008000e, "RDP 10.9"},
        {0x0008000f, "RDP 10.10"}, {0x00080010, "RDP 10.11"}, {0x00080011, "RDP 10.12"},
    }};
    return lookup(t, version);
}

std::string_view keyboard_layout_exact(std::uint32_t klid) {
    auto it = std::lower_bound(std::begin(keyboard_layouts), std::end(keyboard_layouts), klid,
                               [](const Named<std::uint32_t>& e, std::uint32_t k) { return e.code < k; });
    if (it != std::end(keyboard_layouts) && it->code == klid) return it->name;
    return {};
}

std::string keyboard_layout(std::uint32_t klid) {
    if (auto exact = keyboard_layout_exact(klid); !exact.empty()) return std::string(exact);
    // Zeek's fallback: an unknown variant of a known language is named after
    // the language, flagged as a guess, with the full KLID in decimal.
    if (auto lang = keyboard_layout_exact(klid & 0xffff); !lang.empty())
        return std::string(lang) + " (Best Guess for " + std::to_string(klid) + ")";
    return with_number("keyboard-", klid);
}

std::string color_depth_bits(unsigned bits) {
    return std::to_string(bits) + "bit";
}

std::string high_color_depth(std::uint16_t value) {
    // MS-RDPBCGR 2.2.1.3.2 highColorDepth: HIGH_COLOR_4BPP .. HIGH_COLOR_24BPP.
    switch (value) {
        case 4: case 8: case 15: case 16: case 24: return color_depth_bits(value);
        default: return with_number("high_color_depth-", value);
    }
}

std::vector<std::string_view> early_capability_flags(std::uint16_t flags) {
    // MS-RDPBCGR 2.2.1.3.2 earlyCapabilityFlags.
    static constexpr std::array<Named<std::uint16_t>, 12> t{{
        {0x0001, "RNS_UD_CS_SUPPORT_ERRINFO_PDU"},
        {0x0002, "RNS_UD_CS_WANT_32BPP_SESSION"},
        {0x0004, "RNS_UD_CS_SUPPORT_STATUSINFO_PDU"},
        {0x0008, "RNS_UD_CS_STRONG_ASYMMETRIC_KEYS"},
        {0x0010, "RNS_UD_CS_RELATIVE_MOUSE_INPUT"},
        {0x0020, "RNS_UD_CS_VALID_CONNECTION_TYPE"},
        {0x0040, "RNS_UD_CS_SUPPORT_MONITOR_LAYOUT_PDU"},
        {0x0080, "RNS_UD_CS_SUPPORT_NETCHAR_AUTODETECT"},
        {0x0100, "RNS_UD_CS_SUPPORT_DYNVC_GFX_PROTOCOL"},
        {0x0200, "RNS_UD_CS_SUPPORT_DYNAMIC_TIME_ZONE"},
        {0x0400, "RNS_UD_CS_SUPPORT_HEARTBEAT_PDU"},
        {0x0800, "RNS_UD_CS_SUPPORT_SKIP_CHANNELJOIN"},
    }};
    return bit_names(t, flags);
}

std::string_view connection_type(std::uint8_t type) {
    static constexpr std::array<Named<std::uint8_t>, 7> t{{
        {0x01, "CONNECTION_TYPE_MODEM"},          {0x02, "CONNECTION_TYPE_BROADBAND_LOW"},
        {0x03, "CONNECTION_TYPE_SATELLITE"},      {0x04, "CONNECTION_TYPE_BROADBAND_HIGH"},
        {0x05, "CONNECTION_TYPE_WAN"},            {0x06, "CONNECTION_TYPE_LAN"},
        {0x07, "CONNECTION_TYPE_AUTODETECT"},
    }};
    return lookup(t, type);
}

std::vector<std::string_view> channel_options(std::uint32_t options) {
    // MS-RDPBCGR 2.2.1.3.4.1 CHANNEL_DEF options.
    static constexpr std::array<Named<std::uint32_t>, 11> t{{
        {0x80000000, "CHANNEL_OPTION_INITIALIZED"},   {0x40000000, "CHANNEL_OPTION_ENCRYPT_RDP"},
        {0x20000000, "CHANNEL_OPTION_ENCRYPT_SC"},    {0x10000000, "CHANNEL_OPTION_ENCRYPT_CS"},
        {0x08000000, "CHANNEL_OPTION_PRI_HIGH"},      {0x04000000, "CHANNEL_OPTION_PRI_MED"},
        {0x02000000, "CHANNEL_OPTION_PRI_LOW"},       {0x00800000, "CHANNEL_OPTION_COMPRESS_RDP"},
        {0x00400000, "CHANNEL_OPTION_COMPRESS"},      {0x00200000, "CHANNEL_OPTION_SHOW_PROTOCOL"},
        {0x00100000, "REMOTE_CONTROL_PERSISTENT"},
    }};
    return bit_names(t, options);
}

std::string_view mcs_result(std::uint64_t result) {
    // T.125 section 7 part 1, Result ENUMERATED, in definition order.
    static constexpr std::array<std::string_view, 16> t{
        "rt-successful",          "rt-domain-merging",         "rt-domain-not-hierarchical",
        "rt-no-such-channel",     "rt-no-such-domain",         "rt-no-such-user",
        "rt-not-admitted",        "rt-other-user-id",          "rt-parameters-unacceptable",
        "rt-token-not-available", "rt-token-not-possessed",    "rt-too-many-channels",
        "rt-too-many-tokens",     "rt-too-many-users",         "rt-unspecified-failure",
        "rt-user-rejected",
    };
    return result < t.size() ? t[result] : std::string_view{};
}

std::string_view mcs_reason(std::uint8_t reason) {
    // T.125 section 7 part 3, Reason ENUMERATED.
    static constexpr std::array<std::string_view, 5> t{
        "rn-domain-disconnected", "rn-provider-initiated", "rn-token-purged",
        "rn-user-requested",      "rn-channel-purged",
    };
    return reason < t.size() ? t[reason] : std::string_view{};
}

std::string_view mcs_priority(std::uint8_t priority) {
    static constexpr std::array<std::string_view, 4> t{"top", "high", "medium", "low"};
    return priority < t.size() ? t[priority] : std::string_view{};
}

std::string gcc_result(std::uint8_t result) {
    // T.124 ConferenceCreateResponse.result, as Zeek's RDP::results spells it.
    static constexpr std::array<std::string_view, 5> t{
        "Success", "User rejected", "Resources not available", "Rejected for symmetry breaking",
        "Locked conference",
    };
    return result < t.size() ? std::string(t[result]) : with_number("result-", result);
}

std::vector<std::string_view> security_flags(std::uint16_t flags) {
    // MS-RDPBCGR 2.2.8.1.1.2.1 TS_SECURITY_HEADER flags.  0x0200 is
    // SEC_LICENSE_ENCRYPT_CS from the client and SEC_LICENSE_ENCRYPT_SC from
    // the server: one bit, one name here.
    static constexpr std::array<Named<std::uint16_t>, 15> t{{
        {0x0001, "SEC_EXCHANGE_PKT"},     {0x0002, "SEC_TRANSPORT_REQ"},
        {0x0004, "RDP_SEC_TRANSPORT_RSP"}, {0x0008, "SEC_ENCRYPT"},
        {0x0010, "SEC_RESET_SEQNO"},      {0x0020, "SEC_IGNORE_SEQNO"},
        {0x0040, "SEC_INFO_PKT"},         {0x0080, "SEC_LICENSE_PKT"},
        {0x0200, "SEC_LICENSE_ENCRYPT"},  {0x0400, "SEC_REDIRECTION_PKT"},
        {0x0800, "SEC_SECURE_CHECKSUM"},  {0x1000, "SEC_AUTODETECT_REQ"},
        {0x2000, "SEC_AUTODETECT_RSP"},   {0x4000, "SEC_HEARTBEAT"},
        {0x8000, "SEC_FLAGSHI_VALID"},
    }};
    return bit_names(t, flags);
}

std::string_view license_msg_type(std::uint8_t type) {
    // MS-RDPBCGR 2.2.1.12.1.1 LICENSE_PREAMBLE bMsgType.
    static constexpr std::array<Named<std::uint8_t>, 8> t{{
        {0x01, "LICENSE_REQUEST"},      {0x02, "PLATFORM_CHALLENGE"},
        {0x03, "NEW_LICENSE"},          {0x04, "UPGRADE_LICENSE"},
        {0x12, "LICENSE_INFO"},         {0x13, "NEW_LICENSE_REQUEST"},
        {0x15, "PLATFORM_CHALLENGE_RESPONSE"}, {0xff, "ERROR_ALERT"},
    }};
    return lookup(t, type);
}

std::string_view license_error_code(std::uint32_t code) {
    // MS-RDPBCGR 2.2.1.12.1.3 LICENSE_ERROR_MESSAGE dwErrorCode.
    static constexpr std::array<Named<std::uint32_t>, 9> t{{
        {0x01, "ERR_INVALID_SERVER_CERTIFICATE"}, {0x02, "ERR_NO_LICENSE"},
        {0x03, "ERR_INVALID_MAC"},                {0x04, "ERR_INVALID_SCOPE"},
        {0x06, "ERR_NO_LICENSE_SERVER"},          {0x07, "STATUS_VALID_CLIENT"},
        {0x08, "ERR_INVALID_CLIENT"},             {0x0b, "ERR_INVALID_PRODUCTID"},
        {0x0c, "ERR_INVALID_MESSAGE_LEN"},
    }};
    return lookup(t, code);
}

std::string_view license_state_transition(std::uint32_t transition) {
    // MS-RDPBCGR 2.2.1.12.1.3 LICENSE_ERROR_MESSAGE dwStateTransition.
    static constexpr std::array<Named<std::uint32_t>, 4> t{{
        {0x01, "ST_TOTAL_ABORT"}, {0x02, "ST_NO_TRANSITION"},
        {0x03, "ST_RESET_PHASE_TO_START"}, {0x04, "ST_RESEND_LAST_MESSAGE"},
    }};
    return lookup(t, transition);
}

std::vector<std::string_view> rdpudp_flags(std::uint16_t flags) {
    // MS-RDPEUDP 2.2.2.1 RDPUDP_FEC_HEADER uFlags.
    static constexpr std::array<Named<std::uint16_t>, 13> t{{
        {0x0001, "RDPUDP_FLAG_SYN"},         {0x0002, "RDPUDP_FLAG_FIN"},
        {0x0004, "RDPUDP_FLAG_ACK"},         {0x0008, "RDPUDP_FLAG_DATA"},
        {0x0010, "RDPUDP_FLAG_FEC"},         {0x0020, "RDPUDP_FLAG_CN"},
        {0x0040, "RDPUDP_FLAG_CWR"},         {0x0080, "RDPUDP_FLAG_SACK_OPTION"},
        {0x0100, "RDPUDP_FLAG_ACK_OF_ACKS"}, {0x0200, "RDPUDP_FLAG_SYNLOSSY"},
        {0x0400, "RDPUDP_FLAG_ACKDELAYED"},  {0x0800, "RDPUDP_FLAG_CORRELATION_ID"},
        {0x1000, "RDPUDP_FLAG_SYNEX"},
    }};
    return bit_names(t, flags);
}

std::string_view rdpudp_version(std::uint16_t version) {
    // MS-RDPEUDP 2.2.2.9 RDPUDP_SYNDATAEX_PAYLOAD uUdpVer.
    static constexpr std::array<Named<std::uint16_t>, 3> t{{
        {0x0001, "RDPUDP_PROTOCOL_VERSION_1"},
        {0x0002, "RDPUDP_PROTOCOL_VERSION_2"},
        {0x0101, "RDPUDP_PROTOCOL_VERSION_3"},
    }};
    return lookup(t, version);
}

std::vector<std::string_view> rdpudp2_flags(std::uint16_t flags) {
    // MS-RDPEUDP2 2.2.1.1 Header Flags (values as corrected by the 2021 errata).
    static constexpr std::array<Named<std::uint16_t>, 6> t{{
        {0x001, "ACK"}, {0x004, "DATA"}, {0x008, "ACKVEC"},
        {0x010, "AOA"}, {0x040, "OVERHEADSIZE"}, {0x100, "DELAYACKINFO"},
    }};
    return bit_names(t, flags);
}

}  // namespace rdpscope::names
