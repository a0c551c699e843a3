import Foundation

// Dates are computed with plain civil-calendar arithmetic in the value's own UTC offset, so
// neither the machine's time zone nor its locale can change a rendered date.

private let monthNames = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
]
private let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

/// Days since 1970-01-01 of a proleptic Gregorian date. Wrapping arithmetic: fields far out of
/// range (which only a caller's own `LiquidDate(year:…)` can pass; parsed years are bounded by
/// `largestWrittenYear`) give a meaningless day instead of stopping the process.
func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year &- 1 : year
    let era = (y >= 0 ? y : y &- 399) / 400
    let yearOfEra = y &- era &* 400
    let dayOfYear = (153 &* (month &+ (month > 2 ? -3 : 9)) &+ 2) / 5 &+ day &- 1
    let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
    return era &* 146_097 &+ dayOfEra &- 719_468
}

func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

extension LiquidDate {
    /// A date from civil fields written at `utcOffset` seconds east of UTC.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Double = 0, utcOffset: Int = 0)
    {
        let days = daysFromCivil(year: year, month: month, day: day)
        // In floating point, which cannot overflow; `formatDate` bounds what it is given.
        let seconds = Double(days) * 86_400 + Double(hour) * 3_600 + Double(minute) * 60 - Double(utcOffset) + second
        self.init(date: Date(timeIntervalSince1970: seconds), utcOffset: utcOffset)
    }
}

/// Unix seconds past which a number is not a date (about 317 million years either way), so
/// `date` leaves it as it is, as Liquid leaves any input that is not a date. `formatDate`
/// reckons the calendar in `Int`, and Ruby's times, which have no bound, have no counterpart
/// here: `{{ 666666666666666666000666666 | date: "%Y" }}` overflowed it (found by FuzzLiquid).
let largestDateSeconds = 1e16

/// The furthest year a written date (`1/1/95152200576049477`) may have and still be a date,
/// about `largestDateSeconds` from the epoch: the day count of a year past it overflowed `Int`,
/// and `date` stopped the process (found by FuzzLiquid). Such text is left as it is.
let largestWrittenYear = 300_000_000

/// A date `seconds` after the Unix epoch, if that is within `largestDateSeconds`.
private func dateFromUnixSeconds(_ seconds: Double) -> LiquidDate? {
    guard seconds.isFinite, abs(seconds) <= largestDateSeconds else { return nil }
    return LiquidDate(date: Date(timeIntervalSince1970: seconds), utcOffset: 0)
}

/// Liquid's `to_date`: dates, "now"/"today", Unix seconds, and the common written forms.
func parseDate(_ value: LiquidValue) -> LiquidDate? {
    switch value {
    case .date(let date): return date
    case .int(let seconds): return dateFromUnixSeconds(Double(seconds))
    case .double(let seconds): return dateFromUnixSeconds(seconds)
    case .string(let text): return parseDate(text)
    default: return nil
    }
}

/// Parses "2019-04-17", "2019-04-17T09:00:00+09:00", "2019-04-17 09:00:00 +0900",
/// "March 14, 2016", "14 Mar 2016 10:00", "Mon, 14 Mar 2016 10:00:00 +0000" and Unix seconds.
public func parseDate(_ text: String) -> LiquidDate? {
    let trimmed = text.trimmingSpaces()
    // Front matter and data files almost always hold ISO 8601, which is read here without
    // the general parser's splitting and lowercasing; anything else falls through to it.
    if let date = parseISODate(trimmed) { return date }
    return parseWrittenDate(trimmed)
}

/// "2019-04-17", and with "T" or a space, then "09:00:00", then optionally "Z" or "+09:00":
/// the same results the general parser gives for them, or nil for every other form (and for
/// out-of-range fields, which the general parser then rejects).
func parseISODate(_ text: String) -> LiquidDate? {
    return withUTF8Bytes(text) { bytes -> LiquidDate? in
        guard bytes.count == 10 || bytes.count == 19 || bytes.count == 20 || bytes.count == 25 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let digit = bytes[index] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        let dash = UInt8(ascii: "-")
        let colon = UInt8(ascii: ":")
        guard let year = digits(0, 4), bytes[4] == dash, let month = digits(5, 2), bytes[7] == dash,
            let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        if bytes.count == 10 { return LiquidDate(year: year, month: month, day: day) }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            let hour = digits(11, 2), bytes[13] == colon, let minute = digits(14, 2), bytes[16] == colon,
            let second = digits(17, 2), hour <= 24, minute <= 59, second <= 60
        else { return nil }
        var offset = 0
        switch bytes.count {
        case 20:
            guard bytes[19] == UInt8(ascii: "Z") || bytes[19] == UInt8(ascii: "z") else { return nil }
        case 25:
            let sign = bytes[19]
            guard sign == UInt8(ascii: "+") || sign == dash, let hours = digits(20, 2), bytes[22] == colon,
                let minutes = digits(23, 2)
            else { return nil }
            offset = (sign == dash ? -1 : 1) * (hours * 3_600 + minutes * 60)
        default:
            break
        }
        return LiquidDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: Double(second), utcOffset: offset)
    }
}

/// The general parser behind `parseDate`, for every written form it accepts.
func parseWrittenDate(_ trimmed: String) -> LiquidDate? {
    let lowered = trimmed.lowercased()
    if lowered.isEmpty { return nil }
    if lowered == "now" || lowered == "today" { return LiquidDate(date: Date(), utcOffset: 0) }
    if lowered.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Double(lowered) {
        return dateFromUnixSeconds(seconds)
    }
    var year: Int?
    var month: Int?
    var day: Int?
    var time: (Int, Int, Double)?
    var offset = 0
    var numbers: [Int] = []
    // Split "2019-04-17T09:00:00+09:00" into date, time and offset parts first.
    var parts: [String] = []
    for piece in lowered.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
        var rest = Substring(piece)
        if let t = rest.firstIndex(of: "t"), rest.prefix(upTo: t).contains("-") || rest.prefix(upTo: t).contains("/"),
            rest[rest.index(after: t)...].contains(":")
        {
            parts.append(String(rest[..<t]))
            rest = rest[rest.index(after: t)...]
        }
        if rest.contains(":"), let sign = rest.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" || $0 == "z" }) {
            parts.append(String(rest[..<sign]))
            parts.append(String(rest[sign...]))
        } else {
            parts.append(String(rest))
        }
    }
    for part in parts {
        if part.isEmpty { continue }
        if part == "z" || part == "utc" || part == "gmt" { continue }
        if part.hasPrefix("+") || part.hasPrefix("-"), let parsed = parseOffset(part) {
            offset = parsed
            continue
        }
        if part.contains(":") {
            let fields = part.split(separator: ":")
            guard fields.count >= 2, let hour = Int(fields[0]), let minute = Int(fields[1]) else { return nil }
            let second = fields.count > 2 ? Double(fields[2]) ?? 0 : 0
            time = (hour, minute, second)
            continue
        }
        if part.contains("-") || part.contains("/") {
            let fields = part.split(whereSeparator: { $0 == "-" || $0 == "/" }).map { Int($0) }
            guard fields.count == 3, let a = fields[0], let b = fields[1], let c = fields[2] else { return nil }
            if part.split(whereSeparator: { $0 == "-" || $0 == "/" })[0].count == 4 {
                (year, month, day) = (a, b, c)
            } else {
                (month, day, year) = (a, b, c)
            }
            continue
        }
        if part.count >= 3, let index = monthNames.firstIndex(where: { $0.lowercased().hasPrefix(part) }) {
            month = index + 1
            continue
        }
        if part.count >= 3, weekdayNames.contains(where: { $0.lowercased().hasPrefix(part) }) { continue }
        if ["am", "pm"].contains(part), let current = time {
            var hour = current.0 % 12
            if part == "pm" { hour += 12 }
            time = (hour, current.1, current.2)
            continue
        }
        let digits =
            part.hasSuffix("st") || part.hasSuffix("nd") || part.hasSuffix("rd") || part.hasSuffix("th")
            ? String(part.dropLast(2)) : part
        guard let number = Int(digits) else { return nil }
        numbers.append(number)
    }
    for number in numbers {
        if number > 31 || (year == nil && day != nil) {
            if year == nil { year = number } else { return nil }
        } else if day == nil {
            day = number
        } else if year == nil {
            year = number
        }
    }
    guard let year, let month, let day, (1...12).contains(month), (1...31).contains(day),
        (-largestWrittenYear...largestWrittenYear).contains(year)
    else { return nil }
    let (hour, minute, second) = time ?? (0, 0, 0)
    guard (0...24).contains(hour), (0...59).contains(minute), second >= 0, second < 61 else { return nil }
    return LiquidDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: offset)
}

private func parseOffset(_ text: String) -> Int? {
    let sign = text.hasPrefix("-") ? -1 : 1
    let digits = text.dropFirst().filter { $0 != ":" }
    guard digits.allSatisfy(\.isASCII), digits.count == 4 || digits.count == 2,
        let value = Int(digits)
    else { return nil }
    let hours = digits.count == 4 ? value / 100 : value
    let minutes = digits.count == 4 ? value % 100 : 0
    return sign * (hours * 3_600 + minutes * 60)
}

/// The widest field `formatDate` pads to; wider widths are taken as this.
public let maximumStrftimeWidth = 1_024

/// Ruby's `strftime` with its flags (`-` `_` `0` `^` `#`), widths and `%:z`.
///
/// A date further than `largestDateSeconds` from the epoch (which only a caller's own
/// `LiquidDate` can be) is written as the furthest one, rather than overflowing.
public func formatDate(_ value: LiquidDate, _ format: String) -> String {
    let unclamped = value.date.timeIntervalSince1970 + Double(value.utcOffset)
    let total = unclamped.isNaN ? 0 : min(max(unclamped, -largestDateSeconds), largestDateSeconds)
    let wholeSeconds = Int(total.rounded(.down))
    let fraction = total - Double(wholeSeconds)
    var days = wholeSeconds / 86_400
    var secondsOfDay = wholeSeconds % 86_400
    if secondsOfDay < 0 {
        secondsOfDay += 86_400
        days -= 1
    }
    let (year, month, day) = civilFromDays(days)
    let hour = secondsOfDay / 3_600
    let minute = secondsOfDay % 3_600 / 60
    let second = secondsOfDay % 60
    let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday.
    let dayOfYear = days - daysFromCivil(year: year, month: 1, day: 1) + 1

    var output = ""
    let scalars = Array(format.unicodeScalars)
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        guard scalar == "%", index + 1 < scalars.count else {
            output.unicodeScalars.append(scalar)
            index += 1
            continue
        }
        var cursor = index + 1
        var flags = Set<Unicode.Scalar>()
        while cursor < scalars.count, "-_0^#".unicodeScalars.contains(scalars[cursor]) {
            flags.insert(scalars[cursor])
            cursor += 1
        }
        var width: Int?
        while cursor < scalars.count, let digit = Int(String(scalars[cursor])) {
            // Clamped as it is read: a mistyped `%99999999999999999999d` must neither overflow
            // nor pad a field to gigabytes (Ruby gives up on such widths with ERANGE).
            width = min((width ?? 0) * 10 + digit, maximumStrftimeWidth)
            cursor += 1
        }
        var colon = false
        if cursor < scalars.count, scalars[cursor] == ":" {
            colon = true
            cursor += 1
        }
        guard cursor < scalars.count else {
            output += String(String.UnicodeScalarView(scalars[index...]))
            break
        }
        let conversion = scalars[cursor]
        func number(_ value: Int, _ defaultWidth: Int, pad: Character = "0") -> String {
            if flags.contains("-") { return String(value) }
            let padding: Character = flags.contains("_") ? " " : flags.contains("0") ? "0" : pad
            let digits = String(abs(value))
            let size = width ?? defaultWidth
            let padded = String(repeating: padding, count: max(0, size - digits.count - (value < 0 ? 1 : 0))) + digits
            return value < 0 ? "-" + padded : padded
        }
        func word(_ text: String) -> String {
            var result = flags.contains("^") ? text.uppercased() : flags.contains("#") ? text.uppercased() : text
            if let width, width > result.count {
                result = String(repeating: flags.contains("0") ? "0" : " ", count: width - result.count) + result
            }
            return result
        }
        func zone(_ separator: Bool) -> String {
            let sign = value.utcOffset < 0 ? "-" : "+"
            let minutes = abs(value.utcOffset) / 60
            let hours = String(minutes / 60).leftPadded(to: 2)
            let rest = String(minutes % 60).leftPadded(to: 2)
            return sign + hours + (separator ? ":" : "") + rest
        }
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        switch conversion {
        case "Y": output += flags.isEmpty && width == nil ? String(year) : number(year, 4)
        case "C": output += number(year / 100, 2)
        case "y": output += number(year % 100, 2)
        case "m": output += number(month, 2)
        case "B": output += word(monthNames[month - 1])
        case "b", "h": output += word(String(monthNames[month - 1].prefix(3)))
        case "d": output += number(day, 2)
        case "e": output += number(day, 2, pad: " ")
        case "j": output += number(dayOfYear, 3)
        case "H": output += number(hour, 2)
        case "k": output += number(hour, 2, pad: " ")
        case "I": output += number(hour12, 2)
        case "l": output += number(hour12, 2, pad: " ")
        case "P": output += hour < 12 ? "am" : "pm"
        case "p": output += word(flags.contains("#") ? (hour < 12 ? "am" : "pm") : (hour < 12 ? "AM" : "PM"))
        case "M": output += number(minute, 2)
        case "S": output += number(second, 2)
        case "L": output += String(Int(fraction * 1000)).leftPadded(to: 3)
        case "N": output += String(Int(fraction * 1_000_000_000)).leftPadded(to: 9)
        case "z": output += zone(colon)
        case "Z": output += value.utcOffset == 0 ? "UTC" : zone(true)
        case "A": output += word(weekdayNames[weekday])
        case "a": output += word(String(weekdayNames[weekday].prefix(3)))
        case "u": output += String(weekday == 0 ? 7 : weekday)
        case "w": output += String(weekday)
        case "s": output += String(Int(value.date.timeIntervalSince1970.rounded(.down)))
        case "U": output += number((dayOfYear + 6 - weekday) / 7, 2)
        case "W": output += number((dayOfYear + 6 - (weekday + 6) % 7) / 7, 2)
        case "n": output += "\n"
        case "t": output += "\t"
        case "%": output += "%"
        case "D", "x": output += formatDate(value, "%m/%d/%y")
        case "F": output += formatDate(value, "%Y-%m-%d")
        case "T", "X": output += formatDate(value, "%H:%M:%S")
        case "R": output += formatDate(value, "%H:%M")
        case "r": output += formatDate(value, "%I:%M:%S %p")
        case "c": output += formatDate(value, "%a %b %e %H:%M:%S %Y")
        case "v": output += formatDate(value, "%e-%^b-%Y")
        default:
            output += String(String.UnicodeScalarView(scalars[index...cursor]))
        }
        index = cursor + 1
    }
    return output
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
