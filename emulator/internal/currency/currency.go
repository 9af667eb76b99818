// Package currency knows the currencies Stripe supports and its refusal
// of any other, for every family that takes a currency parameter (a
// leaf, so that families which import each other can all use it).
package currency

import (
	"slices"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// codes are the currencies Stripe names when it refuses one it does not
// support, in the order of its message.
var codes = strings.Split("usd, aed, afn, all, amd, ang, aoa, ars, aud, awg, azn, bam, bbd, bdt, bgn, bhd, bif, bmd, bnd, bob, brl, bsd, bwp, byn, bzd, cad, cdf, chf, clp, cny, cop, crc, cve, czk, djf, dkk, dop, dzd, egp, etb, eur, fjd, fkp, gbp, gel, gip, gmd, gnf, gtq, gyd, hkd, hnl, hrk, htg, huf, idr, ils, inr, isk, jmd, jod, jpy, kes, kgs, khr, kmf, krw, kwd, kyd, kzt, lak, lbp, lkr, lrd, lsl, mad, mdl, mga, mkd, mmk, mnt, mop, mur, mvr, mwk, mxn, myr, mzn, nad, ngn, nio, nok, npr, nzd, omr, pab, pen, pgk, php, pkr, pln, pyg, qar, ron, rsd, rub, rwf, sar, sbd, scr, sek, sgd, shp, sle, sos, srd, std, szl, thb, tjs, tnd, top, try, ttd, twd, tzs, uah, ugx, uyu, uzs, vnd, vuv, wst, xaf, xcd, xof, xpf, yer, zar, zmw, usdc, btn, ghs, eek, lvl, svc, vef, ltl, sll, mro", ", ")

var supported = func() map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}()

// Codes are the currencies Stripe supports, in the order of its refusal
// message (usd first); a copy.
func Codes() []string { return slices.Clone(codes) }

// Supported reports whether Stripe takes the currency (lower case).
func Supported(code string) bool { return supported[code] }

// Invalid is Stripe's refusal of a currency it does not support, naming
// the parameter that sent it.
func Invalid(code, param string) error {
	return apierr.InvalidRequest("Invalid currency: %s. Stripe currently supports these currencies: %s", code, strings.Join(codes, ", ")).WithParam(param)
}
