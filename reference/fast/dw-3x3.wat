;; Depthwise 3x3 convolution, dilation 1, stride 1 or 2, of uint8 codes with the requantization to
;; uint8 on the registers (hand-written WebAssembly SIMD). Replaces dw.wat conv_dw_rq for these
;; shapes; same results, bit for bit (convIntOracle + requantizeOracle + the optional table).
;;
;; Per channel, the input rows are widened to int16 (no separate packing pass) into a ring of eight
;; row slots of this thread's buffer (stays in L1), one output row ahead of use: row iy in slot
;; iy & 7, its codes at elements [pl, pl + w); every other element (left / right padding, tile
;; over-reads) holds the zero point zx, set once per job; a padding row (above or below the image)
;; is one more row of zx. The codes are not shifted by zx: the records' bias is bias − zx·Σw
;; (wrapped to int32), so Σ w·x + bias' = Σ w·(x − zx) + bias modulo 2^32, which is the exact sum
;; (the caller checks it fits int32; i32x4.dot_i16x8_s and i32x4.add are exact modulo 2^32).
;;
;; Tiles of 16 output pixels of a row, no shuffles before the dot products: i32x4.dot_i16x8_s of
;; 8 consecutive int16 (4 pairs) with the splat weight pair (w[ky][0], w[ky][1]) gives for each pair
;; (x[j], x[j+1]) one lane x[j]·w0 + x[j+1]·w1, i.e. taps 0 and 1 of the output whose window starts
;; at j; the same load two elements further dotted with (w[ky][2], 0) adds tap 2.
;;   stride 2: output o starts at element 2o, so the lanes of the load at element 2·x0 + 8g are
;;     outputs x0 + 4g .. x0 + 4g + 3 in order (4 groups per tile);
;;   stride 1: the load at element x0 gives the even outputs x0, x0 + 2, .., the load at x0 + 1 the
;;     odd ones; two 16-bit interleaves restore the order after the narrowing.
;; 3 rows × 8 dot products per 4 vectors of 4 outputs: 24 i32x4.dot_i16x8_s + 24 i32x4.add per 16
;; outputs (dw.wat: 20 + 20 and 20 interleaving shuffles, plus the packing pass). A remainder of
;; 1..8 outputs after the tiles of 16 (rows wider than 16) and rows of at most 8 are one tile of 8
;; ($tail1, $tail2); otherwise the last tile of a row overlaps the previous one (x0 = ow − 16), so
;; every store is a full 16 bytes; a row of 9..15 (or 1..8) is stored whole while 16 (8) bytes
;; remain in the channel (its later rows, written after it, rewrite the rest), else through a
;; bounce vector. One function per stride ($tiles1, $tiles2): V8 keeps fewer values
;; live; the partial sums are stored (never read) after each kernel row, which makes V8 compute
;; them before the next row's loads instead of hoisting all 24 loads and spilling them.
;;
;; Requantization, r = 31 + shift, per channel (record mode, chosen by dw-3x3.ts):
;;   mode 1 (any r ≥ 32; conv1x1.wat / dw.wat's rule): (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >>
;;     (r − 32) with H the high word of the unsigned product, then the sign (r = 32: m and the
;;     rounding constant doubled by the caller).
;;   mode 0 (r ≥ 33 and tz(m) ≤ r − 32, tz = trailing zero bits): the signed product P = acc·m,
;;     floor((P + 2^(r−1)) / 2^r) = (H + 2^(r−33)) >>s (r − 32), H = P's high word (the low word is
;;     a fraction below 1 of the 2^32 unit, so it never changes the floor). floor(v + 1/2) differs
;;     from round-half-away-from-zero only on negative exact ties, acc·m ≡ 2^(r−1) (mod 2^r), i.e.
;;     acc an odd multiple of 2^(r−1−tz(m)) ≥ 2^31: impossible for an int32 acc.
;;   modes 2 and 3 (tz(m) ≤ r − 32: no exact ties, and every possible |acc|·m < 2^53): float64.
;;     acc·(m·2^−r) is exact (53-bit significand, power-of-two scale); adding 1.5·2^52 rounds it to
;;     the nearest integer (ties to even, but there are no ties), which is then the low word of the
;;     sum's bits (the float64 "magic number" rounding, as in Lua 5.1's lua_number2int). Mode 3
;;     (clamp [0, 255]) adds the zero point with the same constant and leaves the clamp to the
;;     saturating narrows.
;; Then (modes 0–2) a saturating narrow to int16, zero point, clamp ($k16: i16x8 [zp], [qmin],
;; [qmax]), narrow to uint8, and the table $lut (0: none): the table's address added to the codes
;; on int32 lanes, two byte addresses per 64-bit lane in a general register.
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; n < 16 bytes from $src (through $lut when non-zero) to $dst
  (func $tail (param $dst i32) (param $src i32) (param $lut i32) (param $n i32)
    (local $t i32) (local $tv i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $t) (local.get $n)))
        (local.set $tv (i32.load8_u (i32.add (local.get $src) (local.get $t))))
        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
        (i32.store8 (i32.add (local.get $dst) (local.get $t)) (local.get $tv))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next))))

  ;; widens uint8 row $srow (w codes) to int16 at $dst (elements 0 .. w − 1, nothing else written)
  (func $row (param $srow i32) (param $dst i32) (param $w i32)
    (local $ix i32) (local $v v128)
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (i32.add (local.get $ix) (i32.const 16)) (local.get $w)))
        (local.set $v (v128.load (i32.add (local.get $srow) (local.get $ix))))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $ix) (i32.const 1))) (i16x8.extend_low_i8x16_u (local.get $v)))
        (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $ix) (i32.const 1))) (i16x8.extend_high_i8x16_u (local.get $v)))
        (local.set $ix (i32.add (local.get $ix) (i32.const 16)))
        (br $next)))
    (if (i32.lt_s (local.get $ix) (local.get $w))
      (then
        (if (i32.ge_s (local.get $w) (i32.const 16))
          (then
            ;; the last 16 codes again (overlapping: the same values)
            (local.set $ix (i32.sub (local.get $w) (i32.const 16)))
            (local.set $v (v128.load (i32.add (local.get $srow) (local.get $ix))))
            (v128.store (i32.add (local.get $dst) (i32.shl (local.get $ix) (i32.const 1))) (i16x8.extend_low_i8x16_u (local.get $v)))
            (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $ix) (i32.const 1))) (i16x8.extend_high_i8x16_u (local.get $v))))
          (else
            (if (i32.ge_s (local.get $w) (i32.const 8))
              (then
                (v128.store (local.get $dst) (v128.load8x8_u (local.get $srow)))
                (v128.store (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $w) (i32.const 8)) (i32.const 1)))
                  (v128.load8x8_u (i32.add (local.get $srow) (i32.sub (local.get $w) (i32.const 8))))))
              (else
                (local.set $ix (i32.const 0))
                (block $sdone
                  (loop $snext
                    (br_if $sdone (i32.ge_s (local.get $ix) (local.get $w)))
                    (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $ix) (i32.const 1)))
                      (i32.load8_u (i32.add (local.get $srow) (local.get $ix))))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                    (br $snext))))))))))

  ;; One output row at stride 1: rows $p0, $p1, $p2 (int16, element 0 = padded column 0), channel
  ;; record $rec, output row $orow of $ow bytes, outputs [0, $n): $n ≥ 16: tiles of 16, the last one
  ;; overlapping; $n = $ow < 16: one tile, stored whole when $room (the 16 bytes at $orow are in this
  ;; channel: its later rows, written after this one, rewrite the bytes beyond the row), else through
  ;; the bounce vector at $buf.
  (func $tiles1 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $rec i32) (param $orow i32) (param $ow i32)
    (param $n i32) (param $lut i32) (param $k16 i32) (param $buf i32) (param $room i32)
    (local $ox i32) (local $x0 i32) (local $last i32) (local $a i32) (local $q i32) (local $op i32) (local $mode i32) (local $k i32) (local $g i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $mv v128) (local $hv v128) (local $t v128) (local $sg v128)
    (local.set $mode (i32.load offset=40 (local.get $rec)))
    (local.set $k (i32.load offset=36 (local.get $rec)))
    (local.set $last (select (i32.sub (local.get $n) (i32.const 16)) (i32.const 0) (i32.ge_s (local.get $n) (i32.const 16))))
    (loop $xloop
      ;; tile start: ox, or the last 16 outputs of the row
      (local.set $x0 (select (local.get $last) (local.get $ox) (i32.gt_s (local.get $ox) (local.get $last))))
      (local.set $q (i32.shl (local.get $x0) (i32.const 1)))
      (local.set $v0 (v128.load32_splat offset=24 (local.get $rec)))
      (local.set $v1 (local.get $v0))
      (local.set $v2 (local.get $v0))
      (local.set $v3 (local.get $v0))
      ;; v0 = outputs x0, x0 + 2, .., x0 + 6; v1: x0 + 1, .., x0 + 7; v2: x0 + 8, .., x0 + 14; v3: x0 + 9, .., x0 + 15
      (local.set $a (i32.add (local.get $p0) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=0 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=4 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=18 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=22 (local.get $a)) (local.get $hv))))
      ;; partial sums stored (never read): V8 then computes them before the next kernel row's
      ;; loads instead of hoisting all 24 loads and spilling them
      (v128.store (local.get $buf) (local.get $v0))
      (v128.store (local.get $buf) (local.get $v1))
      (v128.store (local.get $buf) (local.get $v2))
      (v128.store (local.get $buf) (local.get $v3))
      (local.set $a (i32.add (local.get $p1) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=8 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=12 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=18 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=22 (local.get $a)) (local.get $hv))))
      ;; partial sums stored (never read): V8 then computes them before the next kernel row's
      ;; loads instead of hoisting all 24 loads and spilling them
      (v128.store (local.get $buf) (local.get $v0))
      (v128.store (local.get $buf) (local.get $v1))
      (v128.store (local.get $buf) (local.get $v2))
      (v128.store (local.get $buf) (local.get $v3))
      (local.set $a (i32.add (local.get $p2) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=16 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=20 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=18 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=22 (local.get $a)) (local.get $hv))))
      ;; requantization: mode 2 / 3 float64 (M = m·2^−r, magic 1.5·2^52 (+ zp)); 0 / 1: m, 2^(r−33), r − 32
      (if (i32.ge_u (local.get $mode) (i32.const 2))
        (then
          (local.set $mv (v128.load64_splat offset=48 (local.get $rec)))
          (local.set $hv (v128.load64_splat offset=56 (local.get $rec)))
          (local.set $v0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v0))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))))
          (local.set $v1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v1))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v1) (local.get $v1)))))))
          (local.set $v2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v2))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v2) (local.get $v2)))))))
          (local.set $v3 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v3))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v3) (local.get $v3))))))))
        (else
          (local.set $mv (v128.load32_splat offset=28 (local.get $rec)))
          (local.set $hv (v128.load32_splat offset=32 (local.get $rec)))
          (if (i32.eqz (local.get $mode))
            (then
            (local.set $v0 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v0) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v0) (local.get $mv)))) (local.get $k)))
            (local.set $v1 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v1) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v1) (local.get $mv)))) (local.get $k)))
            (local.set $v2 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v2) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v2) (local.get $mv)))) (local.get $k)))
            (local.set $v3 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v3) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v3) (local.get $mv)))) (local.get $k))))
            (else
            (local.set $sg (i32x4.shr_s (local.get $v0) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v0)))
            (local.set $v0 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v1) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v1)))
            (local.set $v1 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v2) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v2)))
            (local.set $v2 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v3) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v3)))
            (local.set $v3 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))))))
      ;; int16 (saturating); stride 1: v0 = [outputs 0 2 .. 14], v2 = [1 3 .. 15]
      (local.set $t (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v2)))
      (local.set $v2 (i16x8.narrow_i32x4_s (local.get $v1) (local.get $v3)))
      (local.set $v0 (local.get $t))
      ;; zero point and clamp; mode 3: the zero point was added with the magic constant and the clamp is
      ;; [0, 255]: the saturating narrows alone clamp (sat16(zp + sat16(R)) and sat16(R + zp) give the same byte)
      (if (i32.ne (local.get $mode) (i32.const 3))
        (then
          (local.set $v0 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
            (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v0)))))
          (local.set $v2 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
            (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v2)))))))
      (local.set $t (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $v0) (local.get $v2)))
      (local.set $v2 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $v0) (local.get $v2)))
      (local.set $v0 (local.get $t))
      (local.set $v0 (i8x16.narrow_i16x8_u (local.get $v0) (local.get $v2)))
      (local.set $op (i32.add (local.get $orow) (local.get $x0)))
      (if (i32.lt_s (local.get $ow) (i32.sub (i32.const 16) (i32.shl (local.get $room) (i32.const 4))))
        (then
          (v128.store (local.get $buf) (local.get $v0))
          (call $tail (local.get $op) (local.get $buf) (local.get $lut) (local.get $ow))
          (return)))
      (if (i32.eqz (local.get $lut))
        (then (v128.store (local.get $op) (local.get $v0)))
        (else
          ;; the table's address added to every code on int32 lanes, two addresses per 64-bit lane
          (local.set $sg (i32x4.splat (local.get $lut)))
          (local.set $t (i16x8.extend_low_i8x16_u (local.get $v0)))
          (local.set $v1 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
          (local.set $v2 (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
          (local.set $t (i16x8.extend_high_i8x16_u (local.get $v0)))
          (local.set $v3 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
          (local.set $t (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v1)))
          (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v1)))
          (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v2)))
          (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v2)))
          (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v3)))
          (i32.store8 offset=8 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=9 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v3)))
          (i32.store8 offset=10 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=11 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $t)))
          (i32.store8 offset=12 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=13 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $t)))
          (i32.store8 offset=14 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=15 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 16)))
      (br_if $xloop (i32.lt_s (local.get $ox) (local.get $n)))))

  ;; One output row at stride 2: rows $p0, $p1, $p2 (int16, element 0 = padded column 0), channel
  ;; record $rec, output row $orow of $ow bytes, outputs [0, $n): $n ≥ 16: tiles of 16, the last one
  ;; overlapping; $n = $ow < 16: one tile, stored whole when $room (the 16 bytes at $orow are in this
  ;; channel: its later rows, written after this one, rewrite the bytes beyond the row), else through
  ;; the bounce vector at $buf.
  (func $tiles2 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $rec i32) (param $orow i32) (param $ow i32)
    (param $n i32) (param $lut i32) (param $k16 i32) (param $buf i32) (param $room i32)
    (local $ox i32) (local $x0 i32) (local $last i32) (local $a i32) (local $q i32) (local $op i32) (local $mode i32) (local $k i32) (local $g i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $mv v128) (local $hv v128) (local $t v128) (local $sg v128)
    (local.set $mode (i32.load offset=40 (local.get $rec)))
    (local.set $k (i32.load offset=36 (local.get $rec)))
    (local.set $last (select (i32.sub (local.get $n) (i32.const 16)) (i32.const 0) (i32.ge_s (local.get $n) (i32.const 16))))
    (loop $xloop
      ;; tile start: ox, or the last 16 outputs of the row
      (local.set $x0 (select (local.get $last) (local.get $ox) (i32.gt_s (local.get $ox) (local.get $last))))
      (local.set $q (i32.shl (local.get $x0) (i32.const 2)))
      (local.set $v0 (v128.load32_splat offset=24 (local.get $rec)))
      (local.set $v1 (local.get $v0))
      (local.set $v2 (local.get $v0))
      (local.set $v3 (local.get $v0))
      ;; v_g = outputs x0 + 4g .. x0 + 4g + 3
      (local.set $a (i32.add (local.get $p0) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=0 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=4 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=32 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=48 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=36 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=52 (local.get $a)) (local.get $hv))))
      ;; partial sums stored (never read): V8 then computes them before the next kernel row's
      ;; loads instead of hoisting all 24 loads and spilling them
      (v128.store (local.get $buf) (local.get $v0))
      (v128.store (local.get $buf) (local.get $v1))
      (v128.store (local.get $buf) (local.get $v2))
      (v128.store (local.get $buf) (local.get $v3))
      (local.set $a (i32.add (local.get $p1) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=8 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=12 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=32 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=48 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=36 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=52 (local.get $a)) (local.get $hv))))
      ;; partial sums stored (never read): V8 then computes them before the next kernel row's
      ;; loads instead of hoisting all 24 loads and spilling them
      (v128.store (local.get $buf) (local.get $v0))
      (v128.store (local.get $buf) (local.get $v1))
      (v128.store (local.get $buf) (local.get $v2))
      (v128.store (local.get $buf) (local.get $v3))
      (local.set $a (i32.add (local.get $p2) (local.get $q)))
      (local.set $mv (v128.load32_splat offset=16 (local.get $rec)))
      (local.set $hv (v128.load32_splat offset=20 (local.get $rec)))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=32 (local.get $a)) (local.get $mv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=48 (local.get $a)) (local.get $mv))))
      (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
      (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
      (local.set $v2 (i32x4.add (local.get $v2) (i32x4.dot_i16x8_s (v128.load offset=36 (local.get $a)) (local.get $hv))))
      (local.set $v3 (i32x4.add (local.get $v3) (i32x4.dot_i16x8_s (v128.load offset=52 (local.get $a)) (local.get $hv))))
      ;; requantization: mode 2 / 3 float64 (M = m·2^−r, magic 1.5·2^52 (+ zp)); 0 / 1: m, 2^(r−33), r − 32
      (if (i32.ge_u (local.get $mode) (i32.const 2))
        (then
          (local.set $mv (v128.load64_splat offset=48 (local.get $rec)))
          (local.set $hv (v128.load64_splat offset=56 (local.get $rec)))
          (local.set $v0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v0))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))))
          (local.set $v1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v1))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v1) (local.get $v1)))))))
          (local.set $v2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v2))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v2) (local.get $v2)))))))
          (local.set $v3 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v3))))
            (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v3) (local.get $v3))))))))
        (else
          (local.set $mv (v128.load32_splat offset=28 (local.get $rec)))
          (local.set $hv (v128.load32_splat offset=32 (local.get $rec)))
          (if (i32.eqz (local.get $mode))
            (then
            (local.set $v0 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v0) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v0) (local.get $mv)))) (local.get $k)))
            (local.set $v1 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v1) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v1) (local.get $mv)))) (local.get $k)))
            (local.set $v2 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v2) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v2) (local.get $mv)))) (local.get $k)))
            (local.set $v3 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_s (local.get $v3) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v3) (local.get $mv)))) (local.get $k))))
            (else
            (local.set $sg (i32x4.shr_s (local.get $v0) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v0)))
            (local.set $v0 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v1) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v1)))
            (local.set $v1 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v2) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v2)))
            (local.set $v2 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
            (local.set $sg (i32x4.shr_s (local.get $v3) (i32.const 31)))
            (local.set $t (i32x4.abs (local.get $v3)))
            (local.set $v3 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))))))
      ;; int16 (saturating); stride 1: v0 = [outputs 0 2 .. 14], v2 = [1 3 .. 15]
      (local.set $v0 (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v1)))
      (local.set $v2 (i16x8.narrow_i32x4_s (local.get $v2) (local.get $v3)))
      ;; zero point and clamp; mode 3: the zero point was added with the magic constant and the clamp is
      ;; [0, 255]: the saturating narrows alone clamp (sat16(zp + sat16(R)) and sat16(R + zp) give the same byte)
      (if (i32.ne (local.get $mode) (i32.const 3))
        (then
          (local.set $v0 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
            (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v0)))))
          (local.set $v2 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
            (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v2)))))))
      (local.set $v0 (i8x16.narrow_i16x8_u (local.get $v0) (local.get $v2)))
      (local.set $op (i32.add (local.get $orow) (local.get $x0)))
      (if (i32.lt_s (local.get $ow) (i32.sub (i32.const 16) (i32.shl (local.get $room) (i32.const 4))))
        (then
          (v128.store (local.get $buf) (local.get $v0))
          (call $tail (local.get $op) (local.get $buf) (local.get $lut) (local.get $ow))
          (return)))
      (if (i32.eqz (local.get $lut))
        (then (v128.store (local.get $op) (local.get $v0)))
        (else
          ;; the table's address added to every code on int32 lanes, two addresses per 64-bit lane
          (local.set $sg (i32x4.splat (local.get $lut)))
          (local.set $t (i16x8.extend_low_i8x16_u (local.get $v0)))
          (local.set $v1 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
          (local.set $v2 (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
          (local.set $t (i16x8.extend_high_i8x16_u (local.get $v0)))
          (local.set $v3 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
          (local.set $t (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v1)))
          (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v1)))
          (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v2)))
          (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v2)))
          (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $v3)))
          (i32.store8 offset=8 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=9 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $v3)))
          (i32.store8 offset=10 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=11 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 0 (local.get $t)))
          (i32.store8 offset=12 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=13 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
          (local.set $g (i64x2.extract_lane 1 (local.get $t)))
          (i32.store8 offset=14 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
          (i32.store8 offset=15 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 16)))
      (br_if $xloop (i32.lt_s (local.get $ox) (local.get $n)))))

  ;; Outputs [x0, x0 + 8) of one row at stride 1 (the remainder of a row after its tiles of 16, or a
  ;; row of at most 8): as $tiles1 with two vectors; 8 bytes stored when $room, else through $buf.
  (func $tail1 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $rec i32) (param $orow i32) (param $ow i32)
    (param $x0 i32) (param $lut i32) (param $k16 i32) (param $buf i32) (param $room i32)
    (local $a i32) (local $q i32) (local $op i32) (local $mode i32) (local $k i32) (local $g i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $mv v128) (local $hv v128) (local $t v128) (local $sg v128)
    (local.set $mode (i32.load offset=40 (local.get $rec)))
    (local.set $k (i32.load offset=36 (local.get $rec)))
    (local.set $q (i32.shl (local.get $x0) (i32.const 1)))
    (local.set $v0 (v128.load32_splat offset=24 (local.get $rec)))
    (local.set $v1 (local.get $v0))
    (local.set $a (i32.add (local.get $p0) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=0 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=4 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
    (v128.store (local.get $buf) (local.get $v0))
    (v128.store (local.get $buf) (local.get $v1))
    (local.set $a (i32.add (local.get $p1) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=8 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=12 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
    (v128.store (local.get $buf) (local.get $v0))
    (v128.store (local.get $buf) (local.get $v1))
    (local.set $a (i32.add (local.get $p2) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=16 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=20 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=2 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=6 (local.get $a)) (local.get $hv))))
    (if (i32.ge_u (local.get $mode) (i32.const 2))
      (then
        (local.set $mv (v128.load64_splat offset=48 (local.get $rec)))
        (local.set $hv (v128.load64_splat offset=56 (local.get $rec)))
        (local.set $v0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v0))))
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))))
        (local.set $v1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v1))))
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v1) (local.get $v1))))))))
      (else
        (local.set $mv (v128.load32_splat offset=28 (local.get $rec)))
        (local.set $hv (v128.load32_splat offset=32 (local.get $rec)))
        (if (i32.eqz (local.get $mode))
          (then
          (local.set $v0 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_s (local.get $v0) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v0) (local.get $mv)))) (local.get $k)))
          (local.set $v1 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_s (local.get $v1) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v1) (local.get $mv)))) (local.get $k))))
          (else
          (local.set $sg (i32x4.shr_s (local.get $v0) (i32.const 31)))
          (local.set $t (i32x4.abs (local.get $v0)))
          (local.set $v0 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
          (local.set $sg (i32x4.shr_s (local.get $v1) (i32.const 31)))
          (local.set $t (i32x4.abs (local.get $v1)))
          (local.set $v1 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))))))
    ;; [e0 o0 e1 o1 e2 o2 e3 o3] = outputs x0 .. x0 + 7
    (local.set $t (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v0)))
    (local.set $v2 (i16x8.narrow_i32x4_s (local.get $v1) (local.get $v1)))
    (local.set $v0 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $t) (local.get $v2)))
    (if (i32.ne (local.get $mode) (i32.const 3))
      (then
        (local.set $v0 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
          (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v0)))))))
    (local.set $v0 (i8x16.narrow_i16x8_u (local.get $v0) (local.get $v0)))
    (local.set $op (i32.add (local.get $orow) (local.get $x0)))
    (if (i32.eqz (local.get $room))
      (then
        (v128.store (local.get $buf) (local.get $v0))
        (call $tail (local.get $op) (local.get $buf) (local.get $lut) (i32.sub (local.get $ow) (local.get $x0)))
        (return)))
    (if (i32.eqz (local.get $lut))
      (then (v128.store64_lane 0 (local.get $op) (local.get $v0)))
      (else
    (local.set $sg (i32x4.splat (local.get $lut)))
    (local.set $t (i16x8.extend_low_i8x16_u (local.get $v0)))
    (local.set $v1 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
    (local.set $v2 (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
    (local.set $g (i64x2.extract_lane 0 (local.get $v1)))
    (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 1 (local.get $v1)))
    (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 0 (local.get $v2)))
    (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 1 (local.get $v2)))
    (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))

  ;; Outputs [x0, x0 + 8) of one row at stride 2 (the remainder of a row after its tiles of 16, or a
  ;; row of at most 8): as $tiles2 with two vectors; 8 bytes stored when $room, else through $buf.
  (func $tail2 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $rec i32) (param $orow i32) (param $ow i32)
    (param $x0 i32) (param $lut i32) (param $k16 i32) (param $buf i32) (param $room i32)
    (local $a i32) (local $q i32) (local $op i32) (local $mode i32) (local $k i32) (local $g i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $mv v128) (local $hv v128) (local $t v128) (local $sg v128)
    (local.set $mode (i32.load offset=40 (local.get $rec)))
    (local.set $k (i32.load offset=36 (local.get $rec)))
    (local.set $q (i32.shl (local.get $x0) (i32.const 2)))
    (local.set $v0 (v128.load32_splat offset=24 (local.get $rec)))
    (local.set $v1 (local.get $v0))
    (local.set $a (i32.add (local.get $p0) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=0 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=4 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
    (v128.store (local.get $buf) (local.get $v0))
    (v128.store (local.get $buf) (local.get $v1))
    (local.set $a (i32.add (local.get $p1) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=8 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=12 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
    (v128.store (local.get $buf) (local.get $v0))
    (v128.store (local.get $buf) (local.get $v1))
    (local.set $a (i32.add (local.get $p2) (local.get $q)))
    (local.set $mv (v128.load32_splat offset=16 (local.get $rec)))
    (local.set $hv (v128.load32_splat offset=20 (local.get $rec)))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=0 (local.get $a)) (local.get $mv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $a)) (local.get $mv))))
    (local.set $v0 (i32x4.add (local.get $v0) (i32x4.dot_i16x8_s (v128.load offset=4 (local.get $a)) (local.get $hv))))
    (local.set $v1 (i32x4.add (local.get $v1) (i32x4.dot_i16x8_s (v128.load offset=20 (local.get $a)) (local.get $hv))))
    (if (i32.ge_u (local.get $mode) (i32.const 2))
      (then
        (local.set $mv (v128.load64_splat offset=48 (local.get $rec)))
        (local.set $hv (v128.load64_splat offset=56 (local.get $rec)))
        (local.set $v0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v0))))
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))))
        (local.set $v1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $v1))))
          (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v1) (local.get $v1))))))))
      (else
        (local.set $mv (v128.load32_splat offset=28 (local.get $rec)))
        (local.set $hv (v128.load32_splat offset=32 (local.get $rec)))
        (if (i32.eqz (local.get $mode))
          (then
          (local.set $v0 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_s (local.get $v0) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v0) (local.get $mv)))) (local.get $k)))
          (local.set $v1 (i32x4.shr_s (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_s (local.get $v1) (local.get $mv)) (i64x2.extmul_high_i32x4_s (local.get $v1) (local.get $mv)))) (local.get $k))))
          (else
          (local.set $sg (i32x4.shr_s (local.get $v0) (i32.const 31)))
          (local.set $t (i32x4.abs (local.get $v0)))
          (local.set $v0 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))
          (local.set $sg (i32x4.shr_s (local.get $v1) (i32.const 31)))
          (local.set $t (i32x4.abs (local.get $v1)))
          (local.set $v1 (i32x4.sub (v128.xor (local.get $sg) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
            (i64x2.extmul_low_i32x4_u (local.get $t) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $t) (local.get $mv)))) (local.get $k))) (local.get $sg)))))))
    (local.set $v0 (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v1)))
    (if (i32.ne (local.get $mode) (i32.const 3))
      (then
        (local.set $v0 (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
          (i16x8.add_sat_s (v128.load (local.get $k16)) (local.get $v0)))))))
    (local.set $v0 (i8x16.narrow_i16x8_u (local.get $v0) (local.get $v0)))
    (local.set $op (i32.add (local.get $orow) (local.get $x0)))
    (if (i32.eqz (local.get $room))
      (then
        (v128.store (local.get $buf) (local.get $v0))
        (call $tail (local.get $op) (local.get $buf) (local.get $lut) (i32.sub (local.get $ow) (local.get $x0)))
        (return)))
    (if (i32.eqz (local.get $lut))
      (then (v128.store64_lane 0 (local.get $op) (local.get $v0)))
      (else
    (local.set $sg (i32x4.splat (local.get $lut)))
    (local.set $t (i16x8.extend_low_i8x16_u (local.get $v0)))
    (local.set $v1 (i32x4.add (local.get $sg) (i32x4.extend_low_i16x8_u (local.get $t))))
    (local.set $v2 (i32x4.add (local.get $sg) (i32x4.extend_high_i16x8_u (local.get $t))))
    (local.set $g (i64x2.extract_lane 0 (local.get $v1)))
    (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 1 (local.get $v1)))
    (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 0 (local.get $v2)))
    (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
    (local.set $g (i64x2.extract_lane 1 (local.get $v2)))
    (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
    (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))

  ;; Channels [c0, c1) of the uint8 input [C][h][w] at $src into the uint8 output [C][oh][ow] at $out.
  ;; $buf: this thread's scratch, 32 + 9·$rs bytes ([bounce 16][16][padding row][8 row slots], rows
  ;; of $rs bytes, a multiple of 16 covering the tile reads); $ch: 64-byte records per channel
  ;; [w00 w01 | w02 0 | w10 w11 | w12 0 | w20 w21 | w22 0] (int16 pairs), bias − zx·Σw, m, 2^(r−33),
  ;; r − 32, mode, pad, M = m·2^−r (f64), magic (f64) (see the header); $k16: i16x8 [zp], [qmin],
  ;; [qmax]; $s: stride 1 or 2; $pt, $pl: top / left padding; $lut: table (0: none).
  (func (export "conv_dw_rq2")
    (param $buf i32) (param $ch i32) (param $k16 i32) (param $src i32) (param $out i32)
    (param $c0 i32) (param $c1 i32) (param $h i32) (param $w i32) (param $oh i32) (param $ow i32)
    (param $s i32) (param $pt i32) (param $pl i32) (param $rs i32) (param $zx i32) (param $lut i32)
    (local $c i32) (local $a i32) (local $rec i32) (local $srcc i32) (local $outc i32) (local $next i32)
    (local $oy i32) (local $top i32) (local $need i32) (local $p0 i32) (local $p1 i32) (local $p2 i32)
    (local $slots i32) (local $orow i32) (local $rem i32) (local $t v128)
    ;; padding row and the slots: zx everywhere
    (local.set $slots (i32.add (local.get $buf) (i32.const 32)))
    (local.set $t (i16x8.splat (local.get $zx)))
    (local.set $a (local.get $slots))
    (local.set $need (i32.add (local.get $slots) (i32.mul (local.get $rs) (i32.const 9))))
    (block $zdone
      (loop $znext
        (br_if $zdone (i32.ge_u (local.get $a) (local.get $need)))
        (v128.store (local.get $a) (local.get $t))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $znext)))
    (local.set $rem (i32.and (local.get $ow) (i32.const 15)))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        (local.set $rec (i32.add (local.get $ch) (i32.shl (local.get $c) (i32.const 6))))
        (local.set $srcc (i32.add (local.get $src) (i32.mul (local.get $c) (i32.mul (local.get $h) (local.get $w)))))
        (local.set $outc (i32.add (local.get $out) (i32.mul (local.get $c) (i32.mul (local.get $oh) (local.get $ow)))))
        (local.set $next (i32.const 0))
        (local.set $oy (i32.const 0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $oy) (local.get $oh)))
            (local.set $top (i32.sub (i32.mul (local.get $oy) (local.get $s)) (local.get $pt)))
            ;; widen the input rows up to top + 2 + s (one output row ahead) not yet in a slot (row iy in slot iy & 7)
            (local.set $need (i32.add (local.get $top) (i32.add (local.get $s) (i32.const 2))))
            (if (i32.ge_s (local.get $need) (local.get $h)) (then (local.set $need (i32.sub (local.get $h) (i32.const 1)))))
            (block $pdone
              (loop $pnext
                (br_if $pdone (i32.gt_s (local.get $next) (local.get $need)))
                (call $row (i32.add (local.get $srcc) (i32.mul (local.get $next) (local.get $w)))
                  (i32.add (i32.add (local.get $slots) (i32.mul (local.get $rs) (i32.add (i32.and (local.get $next) (i32.const 7)) (i32.const 1))))
                    (i32.shl (local.get $pl) (i32.const 1)))
                  (local.get $w))
                (local.set $next (i32.add (local.get $next) (i32.const 1)))
                (br $pnext)))
            ;; the three input rows (the padding row outside the image)
            (local.set $p0 (select (i32.add (local.get $slots) (i32.mul (local.get $rs) (i32.add (i32.and (local.get $top) (i32.const 7)) (i32.const 1))))
              (local.get $slots) (i32.lt_u (local.get $top) (local.get $h))))
            (local.set $a (i32.add (local.get $top) (i32.const 1)))
            (local.set $p1 (select (i32.add (local.get $slots) (i32.mul (local.get $rs) (i32.add (i32.and (local.get $a) (i32.const 7)) (i32.const 1))))
              (local.get $slots) (i32.lt_u (local.get $a) (local.get $h))))
            (local.set $a (i32.add (local.get $top) (i32.const 2)))
            (local.set $p2 (select (i32.add (local.get $slots) (i32.mul (local.get $rs) (i32.add (i32.and (local.get $a) (i32.const 7)) (i32.const 1))))
              (local.get $slots) (i32.lt_u (local.get $a) (local.get $h))))
            ;; tiles of 16; a remainder of 1..8 outputs (rows wider than 16) or a row of at most 8: one tile of 8
            (local.set $orow (i32.add (local.get $outc) (i32.mul (local.get $oy) (local.get $ow))))
            (if (i32.eq (local.get $s) (i32.const 1))
              (then
                (if (i32.le_s (local.get $ow) (i32.const 8))
                  (then (call $tail1 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.const 0) (local.get $lut) (local.get $k16) (local.get $buf)
                    (i32.ge_s (i32.mul (i32.sub (local.get $oh) (local.get $oy)) (local.get $ow)) (i32.const 8))))
                  (else
                    (if (i32.and (i32.gt_s (local.get $ow) (i32.const 16)) (i32.le_u (i32.sub (local.get $rem) (i32.const 1)) (i32.const 7)))
                      (then
                        (call $tiles1 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.sub (local.get $ow) (local.get $rem)) (local.get $lut) (local.get $k16) (local.get $buf) (i32.const 1))
                        (call $tail1 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.sub (local.get $ow) (i32.const 8)) (local.get $lut) (local.get $k16) (local.get $buf) (i32.const 1)))
                      (else
                        (call $tiles1 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (local.get $ow) (local.get $lut) (local.get $k16) (local.get $buf)
                          (i32.ge_s (i32.mul (i32.sub (local.get $oh) (local.get $oy)) (local.get $ow)) (i32.const 16))))))))
              (else
                (if (i32.le_s (local.get $ow) (i32.const 8))
                  (then (call $tail2 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.const 0) (local.get $lut) (local.get $k16) (local.get $buf)
                    (i32.ge_s (i32.mul (i32.sub (local.get $oh) (local.get $oy)) (local.get $ow)) (i32.const 8))))
                  (else
                    (if (i32.and (i32.gt_s (local.get $ow) (i32.const 16)) (i32.le_u (i32.sub (local.get $rem) (i32.const 1)) (i32.const 7)))
                      (then
                        (call $tiles2 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.sub (local.get $ow) (local.get $rem)) (local.get $lut) (local.get $k16) (local.get $buf) (i32.const 1))
                        (call $tail2 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (i32.sub (local.get $ow) (i32.const 8)) (local.get $lut) (local.get $k16) (local.get $buf) (i32.const 1)))
                      (else
                        (call $tiles2 (local.get $p0) (local.get $p1) (local.get $p2) (local.get $rec) (local.get $orow) (local.get $ow) (local.get $ow) (local.get $lut) (local.get $k16) (local.get $buf)
                          (i32.ge_s (i32.mul (i32.sub (local.get $oh) (local.get $oy)) (local.get $ow)) (i32.const 16)))))))))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $yloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))
)

