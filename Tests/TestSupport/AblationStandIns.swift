/// v10 -> v11 of the series (a higher learning rate and Lookahead at once)
/// with command stages standing in for tiling, training and validation, so
/// an ablation runs in seconds with effects known by construction.
public enum AblationStandIns {
    /// `prep` stands in for tile + augment (shared by every version), `train`
    /// writes its settings, `validate` scores 4 images: 0.75, 0.80, 0.85, 0.90,
    /// +0.02 on each with lr 0.006, -0.01/+0.01 alternately with Lookahead,
    /// +0.003 * (seed mod 3) on each.
    public static let v10 = #"""
        pipeline: v10
        params: {seed: 2021}
        stages:
          prep:
            kind: command
            cmd: "echo tiles > tiles.txt; echo '{\"tiles\": 4}' > counts.json"
            outs: [tiles.txt, counts.json]
            metrics: counts.json
          train:
            kind: command
            deps: [prep]
            params: {lr: 2.0e-3, lookahead: 0, seed: "${params.seed}"}
            cmd: "echo ${stage.params.lr} ${stage.params.lookahead} ${stage.params.seed} > model.txt"
            outs: [model.txt]
          validate:
            kind: command
            deps: [train]
            cmd: >-
              awk '{ n = 0; printf "{\"images\": ["; for (i = 1; i <= 4; i++) {
                d = 0.70 + 0.05 * i + ($1 > 0.004 ? 0.02 : 0) + ($2 > 0 ? (i % 2 == 0 ? 0.01 : -0.01) : 0) + 0.003 * ($3 % 3);
                s += d; printf "%s{\"id\": \"img%d\", \"dice\": %.6f}", (i > 1 ? ", " : ""), i, d }
                printf "]}"; printf "{\"cv_dice\": %.6f}", s / 4 > "metrics.json" }' ${deps.train}/model.txt > scores.json
            outs: [scores.json, metrics.json]
            metrics: metrics.json
        """#
    public static let v11 = """
        pipeline: v11
        extends: v10.yaml
        stages:
          train:
            params: {lr: 6.0e-3, lookahead: 5}
        """
}
