package currency

// Share is part/whole of amount in minor units, rounded half up: a
// partial refund's or credit's share of a fee, discount or transfer
// (amount ≥ 0, 0 ≤ part ≤ whole; 0 when whole is not positive).
func Share(amount, part, whole int64) int64 {
	if whole <= 0 {
		return 0
	}
	return (2*amount*part + whole) / (2 * whole)
}
